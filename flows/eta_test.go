package flows

import (
	"fmt"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/messenger"
	"github.com/heraldbot/herald/dispatch/telegram"
)

// The summary says, per channel, how many people the message reaches and
// how long sending takes at the configured limits, before anything is sent.
func TestSummaryShowsTheETAPerChannel(t *testing.T) {
	tg, err := telegram.New(telegram.Config{Token: "1:x", BaseURL: "http://127.0.0.1:1"}) // never called
	if err != nil {
		t.Fatal(err)
	}
	ln, err := line.New(line.Config{Token: "x", BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := messenger.New(messenger.Config{PageToken: "x", BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(c *Config) {
		limits := dispatch.Limits{Headroom: 1, PerSecond: map[string]float64{telegram.Class: 30, line.MulticastClass: 200, line.PushClass: 10}}
		c.Estimates = dispatch.New(c.Store.(dispatch.Store), map[herald.Platform]dispatch.Sender{herald.Telegram: tg, herald.LINE: ln, herald.Messenger: ms},
			dispatch.Options{Limits: limits})
	})
	var subs []herald.Subscriber
	for i := range 12400 {
		subs = append(subs, herald.Subscriber{Platform: herald.Telegram, ID: fmt.Sprint(50000 + i), Kind: herald.KindUser, Name: "Tg user", Tags: []string{"bulk"}})
	}
	for i := range 3000 {
		subs = append(subs, herald.Subscriber{Platform: herald.LINE, ID: fmt.Sprintf("UB%05d", i), Kind: herald.KindUser, Name: "Line user", Tags: []string{"bulk"}})
	}
	if err := h.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}

	rs := h.send(`/new "Flash sale" to tag:bulk on telegram,line at 2026-12-01 09:00`)
	mustContain(t, rs, "⏱ Time to send: LINE 3,000 people · under a minute; Telegram 12,400 people · about 7 min")
	h.send("/lang ja") // the channels are joined the language's way
	mustContain(t, h.do(Input{Choice: "wiz:again"}), "LINE 3,000 人 · 1分未満；Telegram 12,400 人 · 約 7分")
	h.send("/lang en")

	// Personalised, LINE pushes one by one instead of 500 at a time.
	h.send("/cancel")
	h.press(choiceDiscard)
	rs = h.send(`/new "Hi {name}" to tag:bulk on line at 2026-12-01 09:00`)
	mustContain(t, rs, "⏱ Time to send: LINE 3,000 people · about 5 min")

	// A marketing message reaches only the Messenger users who wrote
	// within the window: P1 did two hours ago, P2 two months ago.
	h.send("/cancel")
	h.press(choiceDiscard)
	rs = h.send(`/new "Hello" to tag:vip on messenger at 2026-12-01 09:00`)
	mustContain(t, rs, "⏱ Time to send: Messenger 1 person · under a minute")

	// An A/B test's time is its variants' send, all of them, which goes
	// now (not variant A's share alone).
	h.send("/cancel")
	h.press(choiceDiscard)
	h.send(`/new "Flash sale" to tag:bulk on telegram at 2026-12-01 09:00`)
	h.press("sum:ab")
	h.send("Or this?")
	rs = h.send("10% 1h")
	d := h.session().Draft
	a := d.Audience
	a.Sample = variantsSample(d.Test)
	c, err := h.store.Count(&a, herald.Marketing, t0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total < 2000 || c.Total > 3000 {
		t.Fatalf("the variants' 20%% of 12,400 counted %d", c.Total)
	}
	mustContain(t, rs, "⏱ Time to send: Telegram "+FormatCount(c.Total)+" people · about ")
}
