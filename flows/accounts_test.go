package flows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// twoLINE configures LINE with two accounts (main and shop) beside
// Telegram and Messenger with one each.
func twoLINE(c *Config) {
	c.Accounts = []Account{{Account: herald.Account{Platform: herald.LINE}, Name: "main"},
		{Account: herald.Account{Platform: herald.LINE, Name: "shop"}, Name: "shop"},
		{Account: herald.Account{Platform: herald.Telegram}, Name: "main"},
		{Account: herald.Account{Platform: herald.Messenger}, Name: "main"}}
}

// shopFollowers stores subscribed followers of LINE · Shop.
func shopFollowers(t *testing.T, h *harness, ids ...string) {
	t.Helper()
	var subs []herald.Subscriber
	for _, id := range ids {
		subs = append(subs, herald.Subscriber{Platform: herald.LINE, Account: "shop", ID: id, Kind: herald.KindUser, State: herald.Subscribed})
	}
	if err := h.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
}

// shopDraft starts a broadcast named name to LINE · Shop, whose
// followers are Ushop1 and Ushop2, and stops at the audience step.
func (h *harness) shopDraft(name string) {
	h.t.Helper()
	shopFollowers(h.t, h, "Ushop1", "Ushop2")
	h.send("/new")
	h.send(name)
	h.press("acc:line:shop")
	h.press(choiceDone)
	h.wantStep(stepAudience)
}

// The channel step offers a platform with several accounts account by
// account, toggled as buttons or typed ("line:shop, telegram"); an account
// the bot does not have is named with the ones it does; the summary and
// its count go account by account.
func TestChannelStepPicksAccounts(t *testing.T) {
	h := newHarness(t, twoLINE)
	shopFollowers(t, h, "Ushop1", "Ushop2")
	h.send("/new")
	h.send("Autumn sale")
	h.wantStep(stepChannels)
	for _, id := range []string{"acc:line", "acc:line:shop", "ch:telegram", "ch:messenger"} {
		if !h.offered(id) {
			t.Errorf("the channel step does not offer %s: %v", id, h.offeredIDs())
		}
	}
	rs := h.press("acc:line:shop")
	if !slices.ContainsFunc(rs[len(rs)-1].Choices, func(c Choice) bool { return c.ID == "acc:line:shop" && c.Checked && c.Label == "LINE · Shop" }) {
		t.Errorf("LINE · Shop is not checked after pressing it: %+v", rs[len(rs)-1].Choices)
	}
	if a := h.session().Draft.Audience; !slices.Equal(a.Channels, []herald.Platform{herald.LINE}) || !slices.Equal(a.Accounts, []herald.Account{{Platform: herald.LINE, Name: "shop"}}) {
		t.Errorf("after pressing LINE · Shop: channels %v, accounts %v", a.Channels, a.Accounts)
	}
	h.press("acc:line:shop") // and off again
	mustContain(t, h.send("line:outlet"), "“line:outlet” isn't an account here. Choose from: line:main, line:shop.")
	h.wantStep(stepChannels)
	rs = h.send("line:shop, telegram")
	mustContain(t, rs, "LINE · Shop 2 · Telegram 4")
	a := h.session().Draft.Audience
	if !slices.Equal(a.Channels, []herald.Platform{herald.LINE, herald.Telegram}) || !slices.Equal(a.Accounts, []herald.Account{{Platform: herald.LINE, Name: "shop"}}) {
		t.Fatalf("typed line:shop, telegram: channels %v, accounts %v", a.Channels, a.Accounts)
	}
}

// A one-liner naming an account the bot does not have points at it.
func TestOneLinerUnknownAccount(t *testing.T) {
	h := newHarness(t, twoLINE)
	mustContain(t, h.send(`/new "Hi" on line:outlet`), "“line:outlet” isn't an account on this bot. Use one of: line:main, line:shop.")
	mustContain(t, h.send(`/audience on line:main`), "LINE · Main")
}

// An admin restricted to LINE · Shop is offered nothing else and told,
// when they name another account, which ones they may use.
func TestRestrictedAdminInTheWizard(t *testing.T) {
	h := newHarness(t, twoLINE, func(c *Config) {
		c.AdminAccounts = map[string][]herald.Account{AdminKey("console", "bob"): {{Platform: herald.LINE, Name: "shop"}, {Platform: herald.Telegram}}}
	})
	h.user = "bob"
	h.send("/new")
	h.send("Shop sale")
	h.wantStep(stepChannels)
	if got := h.offeredIDs(); !slices.Contains(got, "acc:line:shop") || slices.Contains(got, "acc:line") || slices.Contains(got, "ch:messenger") {
		t.Errorf("Bob is offered %v; want LINE · Shop and Telegram only", got)
	}
	mustContain(t, h.send("line:main"), "You can't send from LINE · Main. Your accounts: LINE · Shop, Telegram.")
	h.wantStep(stepChannels)
	h.send("line")
	if a := h.session().Draft.Audience; !slices.Equal(a.Accounts, []herald.Account{{Platform: herald.LINE, Name: "shop"}}) {
		t.Errorf("Bob's \"line\" is accounts %v, want LINE · Shop alone", a.Accounts)
	}
}

// A restricted admin neither lists nor opens a broadcast to accounts they
// may not use, and cannot confirm one (an edit of someone else's): each
// is answered with the accounts they may use.
func TestRestrictedAdminSeesOnlyTheirBroadcasts(t *testing.T) {
	h := newHarness(t, twoLINE, func(c *Config) {
		c.AdminAccounts = map[string][]herald.Account{AdminKey("console", "bob"): {{Platform: herald.LINE, Name: "shop"}}}
	})
	shopFollowers(t, h, "Ushop1")
	h.advance(time.Minute)
	h.send(`/new "Main news" on line:main at 2026-12-01 09:00`)
	h.press("sum:confirm")
	h.advance(time.Minute)
	h.send(`/new "Shop news" on line:shop at 2026-12-01 09:00`)
	h.press("sum:confirm")
	main, _ := h.store.FindBroadcasts("Main news", 1)

	h.user = "bob"
	list := joined(h.send("/list"))
	if !strings.Contains(list, "Shop news") || strings.Contains(list, "Main news") {
		t.Errorf("Bob's /list:\n%s", list)
	}
	for _, cmd := range []string{"/show ", "/cancel ", "/edit "} {
		mustContain(t, h.send(cmd+main[0].ID), "You can't send from LINE · Main. Your accounts: LINE · Shop.")
	}
	h.user = "alice"
	if list := joined(h.send("/list")); !strings.Contains(list, "Main news") {
		t.Errorf("Alice, not restricted, does not see Main news:\n%s", list)
	}
}

// A list of IDs uploaded for an audience on LINE · Shop finds the shop's
// followers by bare ID or by their line@shop key, and keeps them.
func TestCSVFindsTheChosenAccountsFollowers(t *testing.T) {
	h := newHarness(t, twoLINE)
	h.shopDraft("Shop VIPs")
	h.press("aud:csv")
	rs := h.upload("vips.csv", "text/csv", []byte("id\nUshop1\nline@shop:Ushop2\nUnobody\n"))
	mustContain(t, rs, "Loaded 2 LINE user IDs", "👥 2 recipients")
}

// "Everyone" (the audience step's button, or the word in a one-liner)
// takes the narrowing off but keeps the chosen accounts: everyone on
// LINE · Shop, not everyone on LINE.
func TestEveryoneKeepsTheChosenAccounts(t *testing.T) {
	shop := []herald.Account{{Platform: herald.LINE, Name: "shop"}}
	h := newHarness(t, twoLINE)
	h.shopDraft("Shop sale")
	h.send("tag:vip")
	rs := h.press("aud:all")
	mustContain(t, rs, "👥 2 recipients — LINE · Shop 2")
	if a := h.session().Draft.Audience; !slices.Equal(a.Accounts, shop) {
		t.Errorf("after Everyone the audience goes to accounts %v, want LINE · Shop alone", a.Accounts)
	}

	h = newHarness(t, twoLINE)
	shopFollowers(t, h, "Ushop1", "Ushop2")
	mustContain(t, h.send(`/new "Hi" to everyone on line:shop at 2026-12-01 09:00`), "👥 2 recipients — LINE · Shop 2", "(LINE · Shop), as the message arrives")
	if a := h.session().Draft.Audience; !slices.Equal(a.Accounts, shop) {
		t.Errorf(`"to everyone on line:shop" goes to accounts %v, want LINE · Shop alone`, a.Accounts)
	}
	mustContain(t, h.send(`/audience everyone on line:shop`), "👥 2 recipients — LINE · Shop 2")
}

// /help shows how to name an account only on a bot with several on a
// platform, and only the accounts this admin may use.
func TestHelpNamesTheAccounts(t *testing.T) {
	if help := joined(newHarness(t).send("/help")); strings.Contains(help, "several accounts") || !strings.Contains(help, `ab "B's text" 10% 4h`) {
		t.Errorf("/help on a bot with one account per platform:\n%s", help)
	}
	h := newHarness(t, twoLINE, func(c *Config) {
		c.AdminAccounts = map[string][]herald.Account{AdminKey("console", "bob"): {{Platform: herald.LINE, Name: "shop"}, {Platform: herald.Telegram}}}
	})
	mustContain(t, h.send("/help"), "One platform, several accounts: on line:main, line:shop in /new and /audience")
	h.user = "bob"
	mustContain(t, h.send("/help"), "One platform, several accounts: on line:shop in /new")
}
