package flows

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/storage"
)

// An admin following LINE · Main and LINE · Shop has a test recipient on
// each (a code sent to each channel), /testme names them by account, and
// "Send test to me" on a broadcast to LINE · Shop goes out through the
// shop's channel, the one the admin follows there.
func TestSendTestGoesFromTheAccountTheAdminFollows(t *testing.T) {
	fakes, url := startFakes(t)
	h := newHarness(t, twoLINE, func(c *Config) {
		c.Tests = dispatch.New(c.Store.(*storage.Store), map[herald.Platform]dispatch.Sender{herald.LINE: lineSender(t, url, "main-token")},
			dispatch.Options{Accounts: map[herald.Account]dispatch.Sender{{Platform: herald.LINE, Name: "shop"}: lineSender(t, url, "shop-token")}})
	})
	shopFollowers(t, h, "Uadmin")
	if err := h.store.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: "Uadmin", Kind: herald.KindUser, State: herald.Subscribed}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	shopKey := herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "Uadmin"}
	reply, _, err := h.eng.AnswerDirect(ctx, shopKey, "", h.codeFrom())
	if err != nil || reply != "✅ This LINE · Shop account (Uadmin) now gets your Herald tests. In the admin chat, /testme lists your test recipients." {
		t.Fatalf("the code sent to LINE · Shop: %q, %v", reply, err)
	}
	if _, _, err := h.eng.AnswerDirect(ctx, herald.SubscriberKey{Platform: herald.LINE, ID: "Uadmin"}, "", h.codeFrom()); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.send("/testme"), "LINE · Shop: Uadmin", "LINE · Main: Uadmin")
	if reply, _, _ := h.eng.AnswerDirect(ctx, shopKey, "", "/whoami"); reply != "Your LINE · Shop ID is Uadmin. (For Herald admins: /testme line@shop:Uadmin makes this account a test recipient.)" {
		t.Errorf("/whoami to LINE · Shop: %q", reply)
	}

	h.send(`/new "Shop news" on line:shop at 2026-12-01 09:00`)
	mustContain(t, h.press("sum:test"), "LINE · Shop: sent to Uadmin.")
	if got := fakes.Recorder.To("line", "Uadmin"); len(got) != 1 || got[0].Token != "shop-token" {
		t.Errorf("the test went out as %+v; want once, through the shop's channel", got)
	}

	// /testme line@shop:ID sets a named account's recipient by hand, as
	// /whoami tells; an account the bot does not have is named.
	mustContain(t, h.send("/testme line@shop:Uother"), "OK, tests go to 1 recipient.")
	mustContain(t, h.send("/testme line@outlet:U1"), "“line:outlet” isn't an account here. Choose from: line:main, line:shop.")
}

// A restricted admin's /whoami and /help say which accounts they may use;
// an admin who may use all hears nothing of it.
func TestWhoAmITellsARestrictedAdminTheirAccounts(t *testing.T) {
	h := newHarness(t, twoLINE, func(c *Config) {
		c.AdminAccounts = map[string][]herald.Account{AdminKey("console", "bob"): {{Platform: herald.LINE, Name: "shop"}, {Platform: herald.Telegram}}}
	})
	const line = "The accounts you may send from: LINE · Shop, Telegram (admin_accounts in the config); the others are not offered to you."
	if rs := joined(h.send("/whoami")); strings.Contains(rs, "accounts you may send from") {
		t.Errorf("an unrestricted admin's /whoami: %q", rs)
	}
	h.user = "bob"
	mustContain(t, h.send("/whoami"), line)
	mustContain(t, h.send("/help"), line)
}
