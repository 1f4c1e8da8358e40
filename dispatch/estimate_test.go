package dispatch_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/messenger"
	"github.com/heraldbot/herald/dispatch/telegram"
)

// The preflight's estimate counts requests as a run makes them and spends
// them at the configured rates: LINE multicasts 500 users a request unless
// the message is personalised (a Messenger batch carries each person's
// own), Telegram sends an album and its buttons as
// two requests, and a group waits its gap between them.
func TestEstimateFollowsTheConfiguredLimits(t *testing.T) {
	e := newEnv(t, nil)
	eng := e.engine(senders(t, e.url), dispatch.Options{Limits: dispatch.Limits{Headroom: 1, PerSecond: map[string]float64{
		telegram.Class: 30, line.MulticastClass: 2, line.PushClass: 100,
		messenger.Class: 300, messenger.BatchClass: messenger.BatchRate(300, 50)}}})
	plain := &herald.Broadcast{Content: herald.Content{Kind: herald.TextContent, Text: "Flash sale"}}
	personal := &herald.Broadcast{Content: herald.Content{Kind: herald.TextContent, Text: "Hi {name}"}}
	album := &herald.Broadcast{Content: herald.Content{Kind: herald.ImageContent, Text: "New in",
		Images:  []herald.Image{{URL: "https://cdn.example.com/a.jpg"}, {URL: "https://cdn.example.com/b.jpg"}},
		Buttons: []herald.Button{{ID: "b1", Kind: herald.URLButton, Label: "Shop", URL: "https://shop.example.com"}}}}
	for _, tc := range []struct {
		name          string
		b             *herald.Broadcast
		p             herald.Platform
		users, groups int
		want          time.Duration
	}{
		{"telegram users at 30/s", plain, herald.Telegram, 12400, 0, 12400 * time.Second / 30},
		{"telegram groups share the rate", plain, herald.Telegram, 300, 300, 20 * time.Second},
		{"album and buttons take two requests", album, herald.Telegram, 3000, 0, 200 * time.Second},
		{"a group waits its gap between parts", album, herald.Telegram, 0, 1, 3 * time.Second},
		{"LINE multicasts 500 a request", plain, herald.LINE, 3000, 0, 3 * time.Second},
		{"LINE pushes a personalised message", personal, herald.LINE, 3000, 0, 30 * time.Second},
		{"Messenger batches 300 messages a second", plain, herald.Messenger, 3000, 0, 10 * time.Second},
		{"Messenger batches a personalised message", personal, herald.Messenger, 3000, 0, 10 * time.Second},
		{"Messenger sends an album one by one", album, herald.Messenger, 3000, 0, 30 * time.Second},
		{"nobody", plain, herald.LINE, 0, 0, 0},
		{"no limit", plain, herald.Messenger, 1000, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "no limit" {
				eng = e.engine(senders(t, e.url), dispatch.Options{Limits: dispatch.Limits{Off: true}})
			}
			got := eng.Estimate(tc.b, herald.Account{Platform: tc.p}, tc.users, tc.groups)
			if got.Round(time.Second) != tc.want.Round(time.Second) {
				t.Errorf("Estimate(%d users, %d groups on %s) = %v, want %v", tc.users, tc.groups, tc.p, got, tc.want)
			}
		})
	}
}
