package dispatch_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
)

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
