package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// The broadcast object carries each URL button's tracked clicks, then
// each text link's, beside the action buttons' taps; retargeting names a
// text link by its key.
func TestBroadcastCarriesClicks(t *testing.T) {
	r := vipRig(t, Options{})
	body := scheduled("Link sale", now.Add(48*time.Hour))
	body["content"].(map[string]any)["text"] = "Sale! Details: https://example.org/sale/details."
	s := r.call(t, "POST", "/api/v1/broadcasts", goodToken, body)
	s.want(t, 201, "scheduled")
	id := s.body["id"].(string)
	if err := r.store.RecordClicks([]herald.Click{{BroadcastID: id, ButtonID: "b2", Seq: 1},
		{BroadcastID: id, ButtonID: "b2", Seq: 1}, {BroadcastID: id, ButtonID: "b2", Seq: 2},
		{BroadcastID: id, ButtonID: "link1", Seq: 2}}); err != nil {
		t.Fatal(err)
	}
	g := r.call(t, "GET", "/api/v1/broadcasts/"+id, goodToken, nil)
	g.want(t, 200, "get")
	clicks, _ := g.body["clicks"].([]any)
	if len(clicks) != 2 {
		t.Fatalf("clicks = %v, want the URL button and the text's link", g.body["clicks"])
	}
	c := clicks[0].(map[string]any)
	if c["button_id"] != "b2" || c["label"] != "Site" || c["taps"] != float64(3) || c["unique"] != float64(2) {
		t.Errorf("clicks = %v, want Site with 3 visits by 2 people", c)
	}
	c = clicks[1].(map[string]any)
	if c["button_id"] != "link1" || c["label"] != "example.org/sale/details" || c["taps"] != float64(1) || c["unique"] != float64(1) {
		t.Errorf("clicks = %v, want the text's link with 1 visit", c)
	}
	n := r.call(t, "POST", "/api/v1/audience/count", goodToken, map[string]any{"audience": map[string]any{
		"channels": []string{"line"}, "tapped": []string{id + "/link1"}}})
	n.want(t, 200, "count")
	if n.body["total"] != float64(1) {
		t.Errorf("tapped %s/link1 counts %s, want the one clicker", id, n.raw)
	}
}

// The audience filter retargets by taps and clicks (tapped / not_tapped),
// counts them live, keeps them on the broadcast, and names an unknown
// broadcast or button with a 422.
func TestAudienceRetargetsByTapsAndClicks(t *testing.T) {
	r := vipRig(t, Options{})
	s := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Link sale", now.Add(48*time.Hour)))
	s.want(t, 201, "scheduled")
	id := s.body["id"].(string)
	if err := r.store.RecordClicks([]herald.Click{{BroadcastID: id, ButtonID: "b2", Seq: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := r.store.RecordTaps([]herald.Tap{{BroadcastID: id, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: "U3"}}}); err != nil {
		t.Fatal(err)
	}
	count := func(aud map[string]any) answer {
		aud["channels"] = []string{"line"}
		return r.call(t, "POST", "/api/v1/audience/count", goodToken, map[string]any{"audience": aud})
	}
	for _, tc := range []struct {
		aud  map[string]any
		want float64
	}{
		{map[string]any{"tapped": []string{id}}, 2},
		{map[string]any{"tapped": []string{id + "/Site"}}, 1},
		{map[string]any{"not_tapped": []string{id}}, 1},
		{map[string]any{"tapped": []string{id + "/b1"}, "not_tapped": []string{id + "/b2"}}, 1},
	} {
		c := count(tc.aud)
		c.want(t, 200, "count")
		if c.body["total"] != tc.want {
			t.Errorf("count %v = %s, want %v", tc.aud, c.raw, tc.want)
		}
	}
	count(map[string]any{"tapped": []string{"B-ZZZZ"}}).wantError(t, 422, "unknown", "audience.tapped", "unknown broadcast")
	count(map[string]any{"not_tapped": []string{id + "/b9"}}).wantError(t, 422, "unknown", "audience.not_tapped", "unknown button")
	count(map[string]any{"tapped": []string{"not an id"}}).wantError(t, 422, "invalid", "audience.tapped", "bad term")

	follow := scheduled("Follow-up", now.Add(72*time.Hour))
	follow["audience"] = map[string]any{"channels": []string{"line"}, "not_tapped": []string{id + "/Site"}}
	f := r.call(t, "POST", "/api/v1/broadcasts", goodToken, follow)
	f.want(t, 201, "follow-up")
	if aud, _ := f.body["audience"].(map[string]any); fmt.Sprint(aud["not_tapped"]) != "["+id+"/b2]" {
		t.Errorf("follow-up audience = %v, want not_tapped [%s/b2]", f.body["audience"], id)
	}
}
