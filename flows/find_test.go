package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows/flowstest"
)

// TestFindLooksUpPeopleAsWellAsBroadcasts: /find Alice finds the
// broadcast named for her and the people called Alice, each with their
// channel and ID, state, last message and tags; an exact ID finds its
// person on any channel; the words are the admin's language.
func TestFindLooksUpPeopleAsWellAsBroadcasts(t *testing.T) {
	h := newHarness(t)
	alice := []herald.Subscriber{
		{Platform: herald.LINE, ID: "U0ALICE", Kind: herald.KindUser, Name: "Alice Chen", State: herald.Subscribed, LastInteraction: t0, OperatorChat: true},
		{Platform: herald.Telegram, ID: "777", Kind: herald.KindUser, Name: "alice c.", State: herald.Blocked},
	}
	alice[0].SetTags([]string{"vip", "beta"})
	if err := h.store.PutSubscribers(alice); err != nil {
		t.Fatal(err)
	}
	h.scheduleOne("Welcome Alice")
	mustContain(t, h.send("/find alice"),
		"📣 Broadcasts matching “alice”:", "Welcome Alice",
		"👤 People matching “alice”:",
		"• Alice Chen — LINE U0ALICE · subscribed · in an operator chat · last wrote 2026-11-23 09:00 (Asia/Taipei) · tags: beta, vip",
		"• alice c. — Telegram 777 · blocked the bot or left · never wrote · no tags")
	rs := h.send("/find 777")
	mustContain(t, rs, "• alice c. — Telegram 777")
	if strings.Contains(joined(rs), "Broadcasts") {
		t.Errorf("/find 777 lists broadcasts:\n%s", joined(rs))
	}
	mustContain(t, h.send("/find telegram:1002"), "• User 1002 — Telegram 1002 · subscribed")
	mustContain(t, h.send("/find nobody-here"), "Nothing matches “nobody-here”: no broadcast and no person.")
	h.send("/lang ja")
	mustContain(t, h.send("/find alice"), "👤「alice」に当てはまる人：", "LINE U0ALICE · 購読中 · オペレーター対応中", "タグ：beta、vip")
	mustContain(t, h.send("/find -100200"), "• User -100200（グループ） — Telegram -100200") // no space before a full-width bracket
	h.golden("find_people")
}

// TestListFiltersByKind: /list recurring, oneoff, api and approve (waiting
// for my approval) show only that kind, alone or with a status; the other
// kinds are buttons.
func TestListFiltersByKind(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Access = flowstest.Allowlist{Admins: []string{"console:alice", "console:bob"}, Approvers: []string{"console:alice", "console:bob"}}
		c.ApprovalThreshold = 5
	})
	h.send(`/new "Daily tip" to tag:churned on telegram every day 09:00`) // 4 people: under the threshold
	h.press("sum:confirm")
	h.scheduleOne("One-off sale") // 6: waits for approval
	api := herald.Broadcast{Name: "From the shop", Status: herald.StatusDraft, Origin: herald.Origin{Frontend: "api", UserID: "shop"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users, TagMatch: herald.AnyTag},
		Content:  herald.Content{Kind: herald.TextContent, Text: "Hi"}}
	if err := h.store.CreateBroadcast(&api); err != nil {
		t.Fatal(err)
	}
	shows := func(rs []Reply, want ...string) {
		t.Helper()
		got := joined(rs)
		for _, name := range []string{"Daily tip", "One-off sale", "From the shop"} {
			if strings.Contains(got, name) != contains(want, name) {
				t.Errorf("showing %q is %v; want %v:\n%s", name, strings.Contains(got, name), contains(want, name), got)
			}
		}
	}
	rs := h.send("/list")
	shows(rs, "Daily tip", "One-off sale", "From the shop")
	for _, id := range []string{"/list oneoff", "/list recurring", "/list api", "/list approve"} {
		if !contains(choiceIDs(rs), id) {
			t.Errorf("/list offers %v; want %s", choiceIDs(rs), id)
		}
	}
	rs = h.press("/list recurring")
	mustContain(t, rs, "📋 Broadcasts: 🔁 Recurring, newest first (page 1):")
	shows(rs, "Daily tip")
	shows(h.send("/list one-off"), "One-off sale", "From the shop")
	shows(h.send("/list api"), "From the shop")
	shows(h.send("/list drafts oneoff"), "From the shop")
	shows(h.send("/list approve")) // alice made it: not hers to approve
	mustContain(t, h.send("/list approve"), "Nothing is waiting for your approval.")
	h.user = "bob"
	rs = h.send("/list approve")
	shows(rs, "One-off sale")
	mustContain(t, rs, "✅ Waiting for my approval")
	h.send("/lang zh-TW")
	mustContain(t, h.send("/list recurring"), "📋 推播列表：🔁 定期，由新到舊（第 1 頁）：")
}
