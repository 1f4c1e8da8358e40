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

// A broadcast with its own quiet hours (18:00–07:00) sent at 09:00 UTC:
// whoever is inside them in their own timezone is held and gets it when
// they end, at their local 07:00; everyone else gets it at once. The bot's
// default (22:00–08:00) would not have held Tokyo (18:00 there).
func TestOwnQuietHoursHoldRecipientsUntilTheyEnd(t *testing.T) {
	zones := schedule.NewZones(time.UTC)
	botDefault := &herald.QuietHours{Start: "22:00", End: "08:00"}
	deliverAt := func(b *herald.Broadcast, s *herald.Subscriber, now time.Time) time.Time {
		return zones.DeliverAt(b, s, botDefault, now) // as cmd/bot wires it
	}
	tz := []string{"Asia/Tokyo", "Europe/London", "", "America/Los_Angeles"}
	want := []string{ // when each gets it: 09:00 UTC is 18:00, 09:00, 09:00, 01:00 local
		"2026-11-23T22:00:00Z", // held until 07:00 in Tokyo
		"2026-11-23T09:00:00Z", // outside: at once
		"2026-11-23T09:00:00Z", // unknown zone: the bot's (UTC), outside
		"2026-11-23T15:00:00Z", // held until 07:00 in Los Angeles
	}
	var b herald.Broadcast
	e, subs := zonedEnv(t, tz, &b, deliverAt)
	b = herald.Broadcast{Name: "evening-safe", Status: herald.StatusScheduled,
		Content:  herald.Content{Kind: herald.TextContent, Text: "Good morning!"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendNow, At: e.clock.Now(), Quiet: &herald.QuietHours{Start: "18:00", End: "07:00"}}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	at := e.receivedOnce(e.start(b.ID), subs)
	for i, got := range at {
		w, _ := time.Parse(time.RFC3339, want[i])
		if !got.Equal(w) {
			t.Errorf("%q received at %s (%s local), want %s", tz[i], got.UTC().Format(time.RFC3339),
				got.In(zones.Get(tz[i])).Format("15:04"), want[i])
		}
	}
}

// zonedEnv is an env with one Telegram user in each of the timezones tz,
// whose engine asks deliverAt when each of them is due (b is the
// broadcast the test stores and starts). The test clock jumps over the
// engine's long waits; before it does, the sends already due reach the
// fake, as they would in the real hours between two zones.
func zonedEnv(t *testing.T, tz []string, b *herald.Broadcast, deliverAt func(*herald.Broadcast, *herald.Subscriber, time.Time) time.Time) (*env, []herald.Subscriber) {
	t.Helper()
	var e *env
	var subs []herald.Subscriber
	e = newEnv(t, func(o *dispatch.Options) {
		o.DeliverAt = deliverAt
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if d >= time.Minute {
				due := 0
				for i := range subs {
					if !deliverAt(b, &subs[i], e.clock.Now()).After(e.clock.Now()) {
						due++
					}
				}
				eventually(t, "due sends reach the fake", func() bool { return e.fakes.Recorder.Count("telegram") >= due })
			}
			return e.clock.Sleep(ctx, d)
		}
	})
	subs = e.subscribe(herald.Telegram, len(tz), func(i int, s *herald.Subscriber) { s.Timezone = tz[i] })
	return e, subs
}

// receivedOnce checks that run completed with every one of subs sent to,
// each exactly once, and returns when each received it.
func (e *env) receivedOnce(run herald.Run, subs []herald.Subscriber) []time.Time {
	e.t.Helper()
	if run.Status != herald.RunCompleted || run.Tally[herald.Telegram].Sent != len(subs) {
		e.t.Fatalf("run %s %+v, want all %d sent", run.Status, run.Tally, len(subs))
	}
	at := make([]time.Time, len(subs))
	for i, s := range subs {
		got := e.fakes.Recorder.To("telegram", s.ID)
		if len(got) != 1 {
			e.t.Fatalf("%s (%q) got %d messages, want 1", s.ID, s.Timezone, len(got))
		}
		at[i] = got[0].At
	}
	return at
}
