package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/schedule"
)

// A broadcast "at 09:00 in each user's own timezone" is one run: every
// recipient gets it at their local 09:00, and the report covers them all.
func TestUserLocalTimeReachesEachRecipientAtTheirNineOClock(t *testing.T) {
	zones := schedule.NewZones(time.UTC)
	tz := []string{"Asia/Tokyo", "Europe/London", "America/New_York", "", "Asia/Taipei", "America/Los_Angeles"}
	var e *env
	var subs []herald.Subscriber
	var b herald.Broadcast
	e = newEnv(t, func(o *dispatch.Options) {
		o.DeliverAt = func(b *herald.Broadcast, s *herald.Subscriber, now time.Time) time.Time {
			return zones.DeliverAt(b, s, nil, now)
		}
		// The test clock jumps; before the pager's long wait moves it on,
		// let the sends already due reach the fake, as they would in the
		// real hours between two zones.
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if d >= time.Minute {
				due := 0
				for i := range subs {
					if !zones.DeliverAt(&b, &subs[i], nil, e.clock.Now()).After(e.clock.Now()) {
						due++
					}
				}
				eventually(t, "due sends reach the fake", func() bool { return e.fakes.Recorder.Count("telegram") >= due })
			}
			return e.clock.Sleep(ctx, d)
		}
	})
	subs = e.subscribe(herald.Telegram, len(tz), func(i int, s *herald.Subscriber) { s.Timezone = tz[i] })

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
	run := e.start(b.ID)

	if run.Status != herald.RunCompleted || run.Tally[herald.Telegram].Sent != len(subs) {
		t.Fatalf("run %s %+v, want all %d sent", run.Status, run.Tally, len(subs))
	}
	for i, s := range subs {
		got := e.fakes.Recorder.To("telegram", s.ID)
		if len(got) != 1 {
			t.Fatalf("%s (%q) got %d messages, want 1", s.ID, tz[i], len(got))
		}
		loc := zones.Get(tz[i])
		local := got[0].At.In(loc)
		if local.Format("2006-01-02 15:04") != "2026-11-24 09:00" {
			t.Errorf("%q received at local %s, want 2026-11-24 09:00", tz[i], local.Format(time.DateTime))
		}
	}
	if rep, ok := e.rep.last(); !ok || rep.Total != len(subs) {
		t.Errorf("one report covering every zone: %+v", rep)
	}
}
