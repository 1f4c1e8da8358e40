package main

import (
	"testing"

	"github.com/heraldbot/herald/dispatch"
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
