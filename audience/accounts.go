package audience

import (
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// accountKey names a named account's bitmap and ID table: "line@shop". A
// platform's default account has none: it is the platform's bitmap less
// its named accounts', so an index of a single-account bot is as it was.
func accountKey(p herald.Platform, account string) herald.Platform {
	if account == "" {
		return p
	}
	return p + "@" + herald.Platform(account)
}

// idKey is the ID table s's ID is resolved in: the same Telegram user ID
// is a different subscriber on each bot.
func idKey(s *herald.Subscriber) herald.Platform { return accountKey(s.Platform, s.Account) }

// namedOf is the union of platform p's named accounts' bitmaps (nil when
// it has none).
func (x *Index) namedOf(p herald.Platform) *roaring.Bitmap {
	var bs []*roaring.Bitmap
	for k, b := range x.accounts {
		if k.Platform == p {
			bs = append(bs, b)
		}
	}
	if len(bs) == 0 {
		return nil
	}
	return roaring.FastOr(bs...)
}

// accountSet is account acc's subscribers.
func (x *Index) accountSet(acc herald.Account) *roaring.Bitmap {
	if acc.Name != "" {
		if b := x.accounts[acc]; b != nil {
			return b
		}
		return roaring.New()
	}
	on := x.platforms[acc.Platform]
	if on == nil {
		return roaring.New()
	}
	r := on.Clone()
	if named := x.namedOf(acc.Platform); named != nil {
		r.AndNot(named)
	}
	return r
}

// filterAccounts narrows r to a's Accounts on the platforms they name.
func (x *Index) filterAccounts(r *roaring.Bitmap, a *herald.Audience) {
	if len(a.Accounts) == 0 || r.IsEmpty() {
		return
	}
	keep := roaring.New()
	for p, on := range x.platforms {
		if !slices.ContainsFunc(a.Accounts, func(acc herald.Account) bool { return acc.Platform == p }) {
			keep.Or(on) // no account of p is listed: all of them
		}
	}
	for _, acc := range a.Accounts {
		keep.Or(x.accountSet(acc))
	}
	r.And(keep)
}

// countAccounts fills c.ByAccount, account by account, once the index
// holds anyone of a named account (nil before: herald.Count.OfAccount
// then reads the platforms' totals as their default accounts').
func (x *Index) countAccounts(r *roaring.Bitmap, c *herald.Count) {
	if len(x.accounts) == 0 {
		return
	}
	by := map[herald.Account]int{}
	for acc, b := range x.accounts {
		if n := int(r.AndCardinality(b)); n > 0 {
			by[acc] = n
		}
	}
	for p := range c.ByPlatform {
		if n := int(r.AndCardinality(x.accountSet(herald.Account{Platform: p}))); n > 0 {
			by[herald.Account{Platform: p}] = n
		}
	}
	c.ByAccount = by
}

// addToAccount adds seq to m[acc], creating the bitmap on first use (the
// name is cloned: it may point into a decode buffer).
func addToAccount(m map[herald.Account]*roaring.Bitmap, acc herald.Account, seq uint32) {
	b := m[acc]
	if b == nil {
		b = roaring.New()
		m[herald.Account{Platform: acc.Platform, Name: strings.Clone(acc.Name)}] = b
	}
	b.Add(seq)
}
