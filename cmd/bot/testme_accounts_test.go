package main

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// An admin sends their /testme code to the shop's Telegram bot: that bot's
// account becomes their test recipient there, and "Send test to me" on a
// broadcast to Telegram · Shop goes out through the shop bot, the one the
// admin follows.
func TestTestMeCodeToANamedBot(t *testing.T) {
	const token, group = "123456:testme-accounts", int64(-100778)
	fakes, cfg, a, start := twoAccountApp(t, token, group, 42)
	g, admin := groupChat(t, fakes.Telegram, token, group), groupUser(42, "Alice")

	g.say(admin, "/testme")
	code := testCode.FindString(waitForMessage(t, fakes.Telegram, group, "within 10 minutes").Text)
	if code == "" {
		t.Fatal("no code in /testme's answer")
	}
	shop := privateChat(t, fakes.Telegram, shopBotToken, 42, "Alice")
	shop.say(admin, code)
	waitForMessage(t, fakes.Telegram, 42, "This Telegram · Shop account (42) now gets your Herald tests")
	waitUntil(t, "Alice is the shop bot's subscriber", func() bool {
		_, err := a.store.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, Account: "shop", ID: "42"})
		return err == nil
	})

	at := start.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	g.say(admin, `/new "Shop test" on telegram:shop at `+at.Format(herald.LocalLayout))
	g.press(admin, waitForMessage(t, fakes.Telegram, group, `"sum:test"`), "sum:test")
	waitForMessage(t, fakes.Telegram, group, "Telegram · Shop: sent to 42.")
	if got := sentBy(fakes.Recorder, "telegram", shopBotToken); !slices.Contains(got, "42") {
		t.Errorf("the shop bot sent to %v; want the test to Alice (42)", got)
	}
	if got := sentBy(fakes.Recorder, "telegram", token); slices.Contains(got, "42") {
		t.Errorf("the main bot sent to Alice too: %v", got)
	}
}
