package api

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
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

// TestABResultsOverTheAPI: GET of a test says nothing of results before
// its variants went out; once nobody tapped by its time, its results say
// it waits for a pick, with the variants side by side; a pick through the
// API sends the winner to the rest, and the results then say who won, that
// an admin picked it and which broadcast is the rest.
func TestABResultsOverTheAPI(t *testing.T) {
	r := vipRig(t, Options{})
	subs := make([]herald.Subscriber, 100) // enough that a tenth is someone
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.LINE, ID: fmt.Sprintf("U%03d", i), Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"vip"}}
	}
	if err := r.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	b := scheduled("Which is better", now.Add(48*time.Hour))
	b["ab_test"] = map[string]any{"variants": []map[string]any{{"kind": "text", "text": "Or this?"}}, "percent": 10, "wait_minutes": 120}
	made := r.call(t, "POST", "/api/v1/broadcasts", goodToken, b)
	made.want(t, 201, "a scheduled test")
	id := made.body["id"].(string)
	if got := r.call(t, "GET", "/api/v1/broadcasts/"+id, goodToken, nil).body["ab_results"]; got != nil {
		t.Errorf("results before the variants went out: %v", got)
	}

	// The scheduler's moments: the test starts, and its time comes with no taps.
	svc, err := broadcasts.New(broadcasts.Options{Store: r.store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	started, err := svc.StartVariants(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DecideTest(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	res := abResultsOf(t, r, id)
	variants, _ := res["variants"].([]any)
	if res["state"] != "waiting_for_pick" || len(variants) != 2 || res["winner"] != nil {
		t.Fatalf("results after nobody tapped: %v; want waiting_for_pick, A and B, no winner", res)
	}
	bv, _ := variants[1].(map[string]any)
	if bv["variant"] != "B" || bv["broadcast_id"] != started.Test.Children[0] || bv["delivered"] != float64(0) || bv["rate"] != float64(0) {
		t.Errorf("B's result %v, want B (%s), nothing delivered", bv, started.Test.Children[0])
	}

	r.call(t, "POST", "/api/v1/broadcasts/"+id+"/pick", goodToken, map[string]any{"variant": "b"}).want(t, 200, "a pick while it waits")
	res = abResultsOf(t, r, id)
	if res["state"] != "decided" || res["winner"] != "B" || res["decided_by"] != "admin" || res["picked_by"] != "api:ci" {
		t.Errorf("results after the pick: %v; want B decided by admin api:ci", res)
	}
	rest, _ := res["rest_id"].(string)
	part, _ := r.call(t, "GET", "/api/v1/broadcasts/"+rest, goodToken, nil).body["ab_part"].(map[string]any)
	if part["test_id"] != id || part["variant"] != "B" || part["rest"] != true {
		t.Errorf("the rest %q is %v, want B's rest of %s", rest, part, id)
	}
	r.call(t, "POST", "/api/v1/broadcasts/"+id+"/pick", goodToken, map[string]any{"variant": "A"}).
		wantError(t, 409, "already_decided", "", "a second pick")
}

func abResultsOf(t *testing.T, r *rig, id string) map[string]any {
	t.Helper()
	a := r.call(t, "GET", "/api/v1/broadcasts/"+id, goodToken, nil)
	a.want(t, 200, "GET the test")
	res, _ := a.body["ab_results"].(map[string]any)
	return res
}
