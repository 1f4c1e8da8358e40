package api

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// The broadcast object carries each URL button's tracked clicks beside
// the action buttons' taps.
func TestBroadcastCarriesClicks(t *testing.T) {
	r := vipRig(t, Options{})
	s := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Link sale", now.Add(48*time.Hour)))
	s.want(t, 201, "scheduled")
	id := s.body["id"].(string)
	if err := r.store.RecordClicks([]herald.Click{{BroadcastID: id, ButtonID: "b2", Seq: 1},
		{BroadcastID: id, ButtonID: "b2", Seq: 1}, {BroadcastID: id, ButtonID: "b2", Seq: 2}}); err != nil {
		t.Fatal(err)
	}
	g := r.call(t, "GET", "/api/v1/broadcasts/"+id, goodToken, nil)
	g.want(t, 200, "get")
	clicks, _ := g.body["clicks"].([]any)
	if len(clicks) != 1 {
		t.Fatalf("clicks = %v, want the URL button only", g.body["clicks"])
	}
	c := clicks[0].(map[string]any)
	if c["button_id"] != "b2" || c["label"] != "Site" || c["taps"] != float64(3) || c["unique"] != float64(2) {
		t.Errorf("clicks = %v, want Site with 3 visits by 2 people", c)
	}
}
