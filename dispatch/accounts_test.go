package dispatch_test

import (
	"fmt"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/telegram"
)

// Two LINE channels and two Telegram bots in one run: each account's
// subscribers are sent through their own account's token, at their own
// account's rate (the fakes count each token's requests per one-second
// window), and the report breaks the run down by account.
func TestTwoAccountsOnOnePlatformKeepTheirOwnLimits(t *testing.T) {
	e := newEnv(t, nil)
	const shopToken, shopBot = "line-token-shop", "2:shop-bot"
	e.subscribe(herald.LINE, 12, nil)
	e.subscribe(herald.Telegram, 12, nil)
	named := func(acc string, p herald.Platform, n int) {
		subs := make([]herald.Subscriber, n)
		for i := range subs {
			// The same IDs as the default account's: another bot's
			// follower is another subscriber.
			subs[i] = herald.Subscriber{Platform: p, Account: acc, ID: subscriberID(p, i), Kind: herald.KindUser,
				State: herald.Subscribed, LastInteraction: e.clock.Now()}
		}
		if err := e.st.PutSubscribers(subs); err != nil {
			t.Fatal(err)
		}
	}
	named("shop", herald.LINE, 12)
	named("shop", herald.Telegram, 12)
	shopLINE, err := line.New(line.Config{Token: shopToken, BaseURL: e.url + "/line"})
	if err != nil {
		t.Fatal(err)
	}
	shopTG, err := telegram.New(telegram.Config{Token: shopBot, BaseURL: e.url + "/telegram"})
	if err != nil {
		t.Fatal(err)
	}
	opts := e.opts
	opts.Limits.MulticastSize = 1 // one request per recipient, so the rate shows
	opts.Limits.PerSecond = map[string]float64{
		line.PushClass: 6, dispatch.AccountClass(line.PushClass, "shop"): 3,
		telegram.Class: 4, dispatch.AccountClass(telegram.Class, "shop"): 2,
	}
	opts.Accounts = map[herald.Account]dispatch.Sender{
		{Platform: herald.LINE, Name: "shop"}: shopLINE, {Platform: herald.Telegram, Name: "shop"}: shopTG}
	eng := e.engine(senders(t, e.url), opts)
	bid := e.broadcast(hello, herald.LINE, herald.Telegram)
	e.runOn(eng, bid)

	rec := e.fakes.Recorder
	// Each account reaches its own limit and never passes it: a limiter
	// shared by the two would hold the faster one to about half of its own.
	for _, c := range []struct {
		platform, token string
		limit, least    int
	}{{"line", lineToken, 6, 4}, {"line", shopToken, 3, 1}, {"telegram", tgToken, 4, 3}, {"telegram", shopBot, 2, 1}} {
		most := rec.MaxPerSecond(c.platform, false)[c.token]
		if most < c.least || most > c.limit {
			t.Errorf("%s token %s: at most %d requests in one second, want %d..%d", c.platform, c.token, most, c.least, c.limit)
		}
	}
	if n := rec.Count("line"); n != 24 {
		t.Errorf("%d LINE recipients reached, want 24 (12 on each channel)", n)
	}
	run := e.lastRun(bid)
	want := map[herald.Account]herald.Tally{
		{Platform: herald.LINE}: {Sent: 12}, {Platform: herald.LINE, Name: "shop"}: {Sent: 12},
		{Platform: herald.Telegram}: {Sent: 12}, {Platform: herald.Telegram, Name: "shop"}: {Sent: 12},
	}
	if got := run.AccountTallies(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("by account %v, want %v", got, want)
	}
	for _, d := range e.deliveries(run.ID, "") {
		if d.Outcome != herald.Sent {
			t.Errorf("%s: %s %s", d.Recipient, d.Outcome, d.Reason)
		}
	}
}

// A named account that lost its sender (removed from config while a run
// was unfinished) fails its recipients with the reason instead of
// leaving the run waiting for ever.
func TestAccountWithoutSenderFailsItsRecipients(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.LINE, 2, nil)
	if err := e.st.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, Account: "gone", ID: subscriberID(herald.LINE, 9),
		Kind: herald.KindUser, State: herald.Subscribed}}); err != nil {
		t.Fatal(err)
	}
	run := e.start(e.broadcast(hello, herald.LINE))
	failed := e.deliveries(run.ID, herald.Failed)
	if run.Tally[herald.LINE].Sent != 2 || len(failed) != 1 || failed[0].Recipient.Account != "gone" {
		t.Fatalf("tally %+v, failed %+v; want 2 sent on the default channel and line:gone failed", run.Tally, failed)
	}
}
