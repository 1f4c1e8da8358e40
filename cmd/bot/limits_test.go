package main

import (
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	dmessenger "github.com/heraldbot/herald/dispatch/messenger"
)

// The dispatch config's rates reach every rate class the senders declare:
// a class the mapping missed would keep its sender's default whatever the
// config says.
func TestDispatchConfigSetsEverySendersRateClass(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Telegram.Token = "1:a"
	cfg.LINE.ChannelToken, cfg.LINE.ChannelSecret = "line-token", "line-secret"
	cfg.Messenger.PageToken = "page-token"
	cfg.Dispatch.TelegramPerSecond, cfg.Dispatch.LINEPushPerSecond = 11, 12
	cfg.Dispatch.LINEPerSecond, cfg.Dispatch.MessengerPerSecond = 13, 14
	senders, err := newSenders(&cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	set := senderLimits(&cfg).PerSecond
	seen := map[float64]bool{}
	for p, s := range senders {
		rl, ok := s.(dispatch.RateLimited)
		if !ok {
			t.Errorf("%s sender declares no rate class", p)
			continue
		}
		for _, c := range []dispatch.RateClass{rl.Rates().Single, rl.Rates().Multicast} {
			if c.Name == "" {
				continue
			}
			rate, ok := set[c.Name]
			if !ok {
				t.Errorf("%s's class %q is not set from the config", p, c.Name)
			}
			seen[rate] = true
		}
	}
	// Messenger's batches spend 14 messages a second in batches of 50
	if len(senders) != 3 || len(seen) != 5 || !seen[14.0/50] {
		t.Errorf("%d senders, config rates reached %v; want 3 senders and each of 11, 12, 13, 14 and 14/50 on its own class", len(senders), seen)
	}
}

// A Messenger page's batches spend its per-message rate: the default
// page's in batches of messenger.batch_size, a named page's in its own
// batch_size (unset: the default page's).
func TestMessengerBatchRatesFollowEachPage(t *testing.T) {
	cfg, err := ParseConfig("config.yaml", []byte(`
messenger:
  page_token: p
  app_secret: s
  verify_token: v
  batch_size: 20
  accounts:
    - {name: shop, page_token: p2, app_secret: s2, verify_token: v2, per_second: 100, batch_size: 10}
    - {name: help, page_token: p3, app_secret: s3, verify_token: v3}
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	limits := accountLimits(&cfg, senderLimits(&cfg)).PerSecond
	for class, want := range map[string]float64{
		dmessenger.BatchClass: 300.0 / 20, dispatch.AccountClass(dmessenger.BatchClass, "shop"): 10,
		dispatch.AccountClass(dmessenger.BatchClass, "help"): 300.0 / 20,
	} {
		if limits[class] != want {
			t.Errorf("class %s: %g per second, want %g", class, limits[class], want)
		}
	}
	named, err := newAccountSenders(&cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if shop := named[herald.Account{Platform: herald.Messenger, Name: "shop"}].(dispatch.Multicaster); shop.MaxMulticast() != 10 {
		t.Errorf("shop's batches carry %d people, want 10", shop.MaxMulticast())
	}
}
