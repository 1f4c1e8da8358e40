package dispatch_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
)

// A broadcast "at 09:00 in each user's own timezone" is one run: every
// recipient gets it at their local 09:00, and the report covers them all.
func TestUserLocalTimeReachesEachRecipientAtTheirNineOClock(t *testing.T) {
	zones := schedule.NewZones(time.UTC)
	tz := []string{"Asia/Tokyo", "Europe/London", "America/New_York", "", "Asia/Taipei", "America/Los_Angeles"}
	var b herald.Broadcast
	e, subs := zonedEnv(t, tz, &b, func(b *herald.Broadcast, s *herald.Subscriber, now time.Time) time.Time {
		return zones.DeliverAt(b, s, nil, now)
	})
	b = herald.Broadcast{Name: "morning hello", Status: herald.StatusScheduled,
		Content:  herald.Content{Kind: herald.TextContent, Text: "Good morning!"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendUserLocal, Local: "2026-11-24 09:00"}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	first, err := schedule.FirstFire(&b.Schedule, e.clock.Now(), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Sleep(t.Context(), first.Sub(e.clock.Now())) // the scheduler fires here
	at := e.receivedOnce(e.start(b.ID), subs)

	for i, got := range at {
		local := got.In(zones.Get(tz[i]))
		if local.Format("2006-01-02 15:04") != "2026-11-24 09:00" {
			t.Errorf("%q received at local %s, want 2026-11-24 09:00", tz[i], local.Format(time.DateTime))
		}
	}
	if rep, ok := e.rep.last(); !ok || rep.Total != len(subs) {
		t.Errorf("one report covering every zone: %+v", rep)
	}
}
