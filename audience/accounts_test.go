package audience_test

import (
	"slices"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

// The index agrees with Audience.Matches on accounts, whether built
// subscriber by subscriber or in bulk, and counts each account: the same
// user ID on two LINE channels and two Telegram bots is two subscribers,
// each picked or left out by their own account.
func TestIndexSelectsAccounts(t *testing.T) {
	var subs []*herald.Subscriber
	add := func(p herald.Platform, account, id string, tags ...string) {
		subs = append(subs, &herald.Subscriber{Seq: uint32(len(subs) + 1), Platform: p, Account: account, ID: id,
			Kind: herald.KindUser, State: herald.Subscribed, Tags: tags})
	}
	add(herald.LINE, "", "U1", "vip")
	add(herald.LINE, "shop", "U1", "vip")
	add(herald.LINE, "shop", "U2")
	add(herald.LINE, "support", "U3", "vip")
	add(herald.Telegram, "", "1001")
	add(herald.Telegram, "shop", "1001")
	line, shop, support := herald.Account{Platform: herald.LINE}, herald.Account{Platform: herald.LINE, Name: "shop"}, herald.Account{Platform: herald.LINE, Name: "support"}
	tgShop := herald.Account{Platform: herald.Telegram, Name: "shop"}
	both := []herald.Platform{herald.LINE, herald.Telegram}

	b := audience.NewBuilder()
	for _, s := range subs {
		b.Add(s)
	}
	for name, x := range map[string]*audience.Index{"put": newIndex(subs), "built": b.Index()} {
		for _, a := range []herald.Audience{
			{Channels: both},
			{Channels: both, Accounts: []herald.Account{shop}},
			{Channels: both, Accounts: []herald.Account{line, support}},
			{Channels: both, Accounts: []herald.Account{shop, tgShop}, IncludeTags: []string{"vip"}},
			{Channels: []herald.Platform{herald.LINE}, Accounts: []herald.Account{shop}, SelectedPlatform: herald.LINE, Selected: []string{"U1", "U3"}},
			{Channels: both, Selected: []string{"line@shop:U2", "telegram:1001"}},
		} {
			a.Recipients = herald.Users
			var want []uint32
			for _, s := range subs {
				if a.Matches(s, now) {
					want = append(want, s.Seq)
				}
			}
			got := x.Match(&a, now).ToArray()
			if !slices.Equal(got, want) {
				t.Errorf("%s: accounts %v, selected %v: index %v, Matches %v", name, a.Accounts, a.Selected, got, want)
			}
		}
		c := x.Count(&herald.Audience{Channels: both, Recipients: herald.Users}, herald.Marketing, now)
		for acc, n := range map[herald.Account]int{line: 1, shop: 2, support: 1, {Platform: herald.Telegram}: 1, tgShop: 1} {
			if got := c.OfAccount(acc); got != n {
				t.Errorf("%s: %s counts %d, want %d (by account %v)", name, acc, got, n, c.ByAccount)
			}
		}
	}
}
