package api

import (
	"testing"
	"time"
)

// TestABTestOverTheAPI: a test is created with its variants, share and
// wait and read back; a share that leaves no rest is a 422 naming it; a
// pick before the variants went out, of a letter the test lacks, and of a
// broadcast that is no test are refused.
func TestABTestOverTheAPI(t *testing.T) {
	r := vipRig(t, Options{})
	b := draft("Which is better")
	b["ab_test"] = map[string]any{"variants": []map[string]any{{"kind": "text", "text": "Or this?"}}, "percent": 10, "wait_minutes": 120}
	a := r.call(t, "POST", "/api/v1/broadcasts", goodToken, b)
	a.want(t, 201, "a draft test")
	test, _ := a.body["ab_test"].(map[string]any)
	variants, _ := test["variants"].([]any)
	if test["percent"] != float64(10) || test["wait_minutes"] != float64(120) || len(variants) != 1 {
		t.Errorf("ab_test = %v", test)
	}
	id := a.body["id"].(string)
	r.call(t, "POST", "/api/v1/broadcasts/"+id+"/pick", goodToken, map[string]any{"variant": "E"}).
		wantError(t, 422, "invalid", "variant", "a letter the test lacks")
	r.call(t, "POST", "/api/v1/broadcasts/"+id+"/pick", goodToken, map[string]any{"variant": "B"}).
		wantError(t, 409, "variants_not_sent", "", "a pick before the variants went out")

	bad := scheduled("Too big", now.Add(48*time.Hour))
	bad["ab_test"] = map[string]any{"variants": []map[string]any{{"kind": "text", "text": "B"}}, "percent": 50, "wait_minutes": 60}
	r.call(t, "POST", "/api/v1/broadcasts", goodToken, bad).wantError(t, 422, "invalid", "ab_test.percent", "two halves and no rest")

	plain := r.call(t, "POST", "/api/v1/broadcasts", goodToken, draft("Plain")).body["id"].(string)
	r.call(t, "POST", "/api/v1/broadcasts/"+plain+"/pick", goodToken, map[string]any{"variant": "A"}).
		wantError(t, 409, "not_ab_test", "", "a pick of a plain broadcast")
}
