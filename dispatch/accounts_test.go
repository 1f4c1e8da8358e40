package dispatch_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

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
	rec := e.fakes.Recorder

	// One run to both accounts of each platform: neither passes its own
	// limit, and the report breaks the run down by account.
	bid := e.broadcast(hello, herald.LINE, herald.Telegram)
	e.runOn(eng, bid)
	limits := map[string]int{lineToken: 6, shopToken: 3, tgToken: 4, shopBot: 2}
	checkMost := func(what string, least map[string]int) {
		t.Helper()
		for _, p := range []string{"line", "telegram"} {
			for token, most := range rec.MaxPerSecond(p, false) {
				if most > limits[token] || most < least[token] {
					t.Errorf("%s: %s token %s: at most %d requests in one second, want %d..%d", what, p, token, most, least[token], limits[token])
				}
			}
		}
	}
	checkMost("both accounts at once", map[string]int{lineToken: 1, shopToken: 1, tgToken: 1, shopBot: 1})
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
	// The live progress breaks down the same way as it goes: its last
	// snapshot agrees with the run's, and every snapshot's accounts add
	// up to its channels.
	e.rep.mu.Lock()
	progress := slices.Clone(e.rep.progress)
	e.rep.mu.Unlock()
	for _, p := range progress {
		sum := map[herald.Platform]herald.Tally{}
		for acc, t := range p.Accounts {
			sum[acc.Platform] = sum[acc.Platform].Add(t)
		}
		if p.Accounts == nil || fmt.Sprint(sum) != fmt.Sprint(p.Channels) {
			t.Errorf("a progress snapshot's accounts %v do not add up to its channels %v", p.Accounts, p.Channels)
		}
	}
	if last := progress[len(progress)-1]; fmt.Sprint(last.Accounts) != fmt.Sprint(want) {
		t.Errorf("the last progress by account %v, want %v", last.Accounts, want)
	}
	for _, d := range e.deliveries(run.ID, "") {
		if d.Outcome != herald.Sent {
			t.Errorf("%s: %s %s", d.Recipient, d.Outcome, d.Reason)
		}
	}

	// Each account alone, sent by one worker (the test clock's waits then
	// add up as a real clock's would), reaches its own limit, not the
	// other's: a limiter shared by the two would hold both to one rate.
	opts.Workers = 1
	alone := e.engine(senders(t, e.url), opts)
	for _, acc := range []herald.Account{{Platform: herald.LINE}, {Platform: herald.LINE, Name: "shop"},
		{Platform: herald.Telegram}, {Platform: herald.Telegram, Name: "shop"}} {
		rec.Reset()
		b := herald.Broadcast{Name: "alone " + acc.String(), Status: herald.StatusScheduled, Content: hello, Category: herald.Marketing,
			Audience: herald.Audience{Channels: []herald.Platform{acc.Platform}, Accounts: []herald.Account{acc}, Recipients: herald.Users},
			Schedule: herald.Schedule{Kind: herald.SendNow, At: e.clock.Now()}}
		if err := e.st.CreateBroadcast(&b); err != nil {
			t.Fatal(err)
		}
		e.runOn(alone, b.ID)
		checkMost(acc.String()+" alone", limits)
		if n := rec.Count(string(acc.Platform)); n != 12 {
			t.Errorf("%s alone: %d requests, want 12", acc, n)
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

// The preflight estimate of an account's send is at that account's rate.
func TestEstimateIsPerAccount(t *testing.T) {
	e := newEnv(t, nil)
	shop, err := line.New(line.Config{Token: "line-token-shop", BaseURL: e.url + "/line"})
	if err != nil {
		t.Fatal(err)
	}
	eng := e.engine(senders(t, e.url), dispatch.Options{Limits: dispatch.Limits{Headroom: 1, PerSecond: map[string]float64{
		line.PushClass: 100, dispatch.AccountClass(line.PushClass, "shop"): 10}},
		Accounts: map[herald.Account]dispatch.Sender{{Platform: herald.LINE, Name: "shop"}: shop}})
	personal := &herald.Broadcast{Content: herald.Content{Kind: herald.TextContent, Text: "Hi {name}"}}
	for acc, want := range map[herald.Account]time.Duration{
		{Platform: herald.LINE}: 30 * time.Second, {Platform: herald.LINE, Name: "shop"}: 300 * time.Second,
		{Platform: herald.LINE, Name: "gone"}: 0,
	} {
		if got := eng.Estimate(personal, acc, 3000, 0); got.Round(time.Second) != want {
			t.Errorf("3,000 pushes from %s: %v, want %v", acc, got, want)
		}
	}
}
