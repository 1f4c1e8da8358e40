package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// counter is the store's side that records taps and clicks.
type counter interface {
	RecordTaps(taps []herald.Tap) error
	RecordClicks(clicks []herald.Click) error
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
}

// /stats shows per button the people who tapped or clicked it, their rate
// over delivered, and the same per channel.
func TestStatsPerButtonAndChannel(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.TrackClicks = true })
	b := h.saleSent()
	if err := h.store.CreateRun(&herald.Run{BroadcastID: b.ID, Status: herald.RunCompleted,
		Tally: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 6}, herald.Telegram: {Sent: 4}}}); err != nil {
		t.Fatal(err)
	}
	c := h.store.(counter)
	line := func(id string) herald.SubscriberKey { return herald.SubscriberKey{Platform: herald.LINE, ID: id} }
	if err := c.RecordTaps([]herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U000")},
		{BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U001")},
		{BroadcastID: b.ID, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.Telegram, ID: "1000"}}}); err != nil {
		t.Fatal(err)
	}
	tg, err := c.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RecordClicks([]herald.Click{{BroadcastID: b.ID, ButtonID: "b2", Seq: tg.Seq},
		{BroadcastID: b.ID, ButtonID: "b2", Seq: tg.Seq}}); err != nil {
		t.Fatal(err)
	}
	got := joined(h.send("/stats " + strings.ToLower(b.ID)))
	for _, want := range []string{
		"📊 Sale (" + b.ID + "): delivered to 10",
		"LINE 6 · Telegram 4",
		"• Interested: tapped by 3 (30% of delivered), 3 taps\n  LINE 2 (33.3%) · Telegram 1 (25%)",
		"• Shop: clicked by 1 (10% of delivered), 2 clicks\n  LINE 0 (0%) · Telegram 1 (25%)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/stats said:\n%s\nwant it to contain:\n%s", got, want)
		}
	}

	// Without public_base_url the links went out direct.
	h.cfg.TrackClicks = false
	h.newEngine()
	b2 := herald.Broadcast{Name: "Direct", Status: herald.StatusCompleted, Audience: b.Audience,
		Content: herald.Content{Kind: herald.TextContent, Text: "Hi", Buttons: b.Content.Buttons[1:]}}
	if err := h.store.CreateBroadcast(&b2); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.send("/stats "+b2.ID), "• Shop: clicks not counted (public_base_url is not set")

	// A message with only a link in its text still has a click to count.
	b3 := herald.Broadcast{Name: "Text link", Status: herald.StatusCompleted, Audience: b.Audience,
		Content: herald.Content{Kind: herald.TextContent, Text: "Read https://blog.example/winter-sale-is-here-at-last/"}}
	if err := h.store.CreateBroadcast(&b3); err != nil {
		t.Fatal(err)
	}
	rs := h.send("/stats " + b3.ID)
	mustContain(t, rs, "• link 1: blog.example/winter-sale-is-her…: clicks not counted")
	if strings.Contains(joined(rs), "no buttons") {
		t.Errorf("/stats of a message with a text link said:\n%s", joined(rs))
	}
}

// One click reads in the singular.
func TestStatsSaysOneClick(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.TrackClicks = true })
	b := retargetRig(t, h)
	mustContain(t, h.send("/stats "+b.ID), "), 3 taps\n", "• Shop: clicked by 1 (", "), 1 click")
}

// A broadcast that reached LINE · Main and LINE · Shop: /stats breaks its
// delivered count and each button's reach down by account, a tap from a
// shop follower counted on LINE · Shop; /show's run line names the
// accounts it went out on.
func TestStatsPerAccount(t *testing.T) {
	h := newHarness(t, twoLINE)
	b := h.saleSent()
	if err := h.store.CreateRun(&herald.Run{BroadcastID: b.ID, Status: herald.RunCompleted,
		Tally:        map[herald.Platform]herald.Tally{herald.LINE: {Sent: 6}, herald.Telegram: {Sent: 4}},
		AccountTally: map[string]herald.Tally{"line:shop": {Sent: 2}}}); err != nil {
		t.Fatal(err)
	}
	shop := herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "U000"}
	if err := h.store.(counter).RecordTaps([]herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: shop},
		{BroadcastID: b.ID, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: "U000"}}}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.send("/stats "+b.ID), "LINE · Main 4 · LINE · Shop 2 · Telegram 4",
		"• Interested: tapped by 2 (20% of delivered), 2 taps\n  LINE · Main 1 (25%) · LINE · Shop 1 (50%) · Telegram 0 (0%)")
	mustContain(t, h.send("/show "+b.ID), "Run 1 · completed · LINE · Main, LINE · Shop, Telegram · ")
}

// /errors of a broadcast whose failures include LINE · Shop's says how
// many failed on each account; the CSV names each row's account.
func TestErrorsNameTheAccounts(t *testing.T) {
	h := newHarness(t, twoLINE)
	shopFollowers(t, h, "Ushop1", "Ushop2")
	a := h.scheduleOne("Alpha")
	run, subs := h.startRun(a.ID)
	shop := herald.Delivery{Seq: 900, Recipient: herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "Ushop1"}, Outcome: herald.Pending}
	if err := h.store.AddDeliveries(run.ID, []herald.Delivery{shop}); err != nil {
		t.Fatal(err)
	}
	shop.Outcome, shop.Reason, shop.Attempts = herald.Failed, herald.ReasonBlocked, 1
	subs[0].Outcome, subs[0].Reason, subs[0].Attempts = herald.Failed, herald.ReasonBlocked, 1
	if err := h.store.RecordOutcomes(run.ID, append(subs[:1], shop)); err != nil {
		t.Fatal(err)
	}
	rs := h.send("/errors " + a.ID)
	mustContain(t, rs, "2 recipients failed", "By account: LINE · Main 1 · LINE · Shop 1 (the CSV's account column names each)")
	if rs[0].File == nil || !strings.Contains(string(rs[0].File.Data), ",Ushop1,blocked,1,") || !strings.Contains(string(rs[0].File.Data), ",shop\n") {
		t.Errorf("CSV attachment = %s", rs[0].File.Data)
	}
}
