package audience

import (
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// Count sizes audience a at now, with its breakdown, after its sample (and
// Before it, with Control for a holdout). ByPlatform lists only
// channels with at least one recipient. OutsideWindow is counted for
// marketing broadcasts only: Messenger users who have not written within
// herald.MessagingWindow (they are in Total and skipped at send time).
func (x *Index) Count(a *herald.Audience, cat herald.Category, now time.Time) herald.Count {
	x.mu.RLock()
	defer x.mu.RUnlock()
	r := x.filter(a, now)
	c := herald.Count{ByPlatform: map[herald.Platform]int{}}
	if s := a.Sample; s != nil {
		c.Before = int(r.GetCardinality())
		x.applySample(r, s)
		if s.HoldoutPercent > 0 {
			c.Control = c.Before - int(r.GetCardinality())
		}
	}
	c.Total = int(r.GetCardinality())
	if c.Total == 0 {
		return c
	}
	for p, b := range x.platforms {
		if n := int(r.AndCardinality(b)); n > 0 {
			c.ByPlatform[p] = n
		}
	}
	x.countAccounts(r, &c)
	if b := x.kinds[herald.KindUser]; b != nil {
		c.Users = int(r.AndCardinality(b))
	}
	if b := x.kinds[herald.KindGroup]; b != nil {
		c.Groups = int(r.AndCardinality(b))
	}
	c.OperatorChats = int(r.AndCardinality(x.operator))
	if cat == herald.Marketing && x.platforms[herald.Messenger] != nil && x.kinds[herald.KindUser] != nil {
		m := roaring.FastAnd(r, x.platforms[herald.Messenger], x.kinds[herald.KindUser])
		if !m.IsEmpty() {
			// InWindow is now-last < 24h, i.e. last strictly after now-24h.
			in := x.activity.since(toNanos(now.Add(-herald.MessagingWindow))+1, x.reachable)
			c.OutsideWindow = int(m.GetCardinality() - m.AndCardinality(in))
			c.NeverWrote = int(m.AndCardinality(x.activity.never))
		}
	}
	return c
}

// Match returns the Seqs of the subscribers in a at now; the bitmap is the
// caller's own. Iterating it (ManyIterator) allocates nothing per Seq.
func (x *Index) Match(a *herald.Audience, now time.Time) *roaring.Bitmap {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.match(a, now)
}

// match is filter, then the audience's sample.
func (x *Index) match(a *herald.Audience, now time.Time) *roaring.Bitmap {
	r := x.filter(a, now)
	x.applySample(r, a.Sample)
	return r
}

// filter evaluates a's criteria, cheapest and most selective sets first;
// every step narrows r in place, and an empty r ends the work early.
func (x *Index) filter(a *herald.Audience, now time.Time) *roaring.Bitmap {
	var chans []*roaring.Bitmap
	for p, b := range x.platforms {
		if a.HasChannel(p) {
			chans = append(chans, b)
		}
	}
	r := roaring.FastOr(chans...)
	x.filterAccounts(r, a)
	switch a.Recipients {
	case herald.Users, "":
		andOrClear(r, x.kinds[herald.KindUser])
	case herald.Groups:
		andOrClear(r, x.kinds[herald.KindGroup])
	case herald.Both:
	default:
		r.Clear()
	}
	if len(a.Selected) > 0 && !r.IsEmpty() {
		r.And(x.selected(a.SelectedPlatform, a.Selected))
	}
	if len(a.IncludeTags) > 0 && !r.IsEmpty() {
		if a.TagMatch == herald.AllTags {
			for _, t := range a.IncludeTags {
				andOrClear(r, x.tags[herald.NormalizeTag(t)])
			}
		} else {
			var anyOf []*roaring.Bitmap
			for _, t := range a.IncludeTags {
				if b := x.tags[herald.NormalizeTag(t)]; b != nil {
					anyOf = append(anyOf, b)
				}
			}
			r.And(roaring.FastOr(anyOf...))
		}
	}
	for _, t := range a.ExcludeTags {
		if b := x.tags[herald.NormalizeTag(t)]; b != nil && !r.IsEmpty() {
			r.AndNot(b)
		}
	}
	if a.Activity != nil && !r.IsEmpty() {
		x.filterActivity(r, a.Activity, now)
	}
	for _, c := range a.Attributes {
		if r.IsEmpty() {
			break
		}
		filterAttr(r, x.attrs[c.Key], c)
	}
	x.filterResponses(r, a.Responses)
	return r
}

func (x *Index) filterActivity(r *roaring.Bitmap, f *herald.Activity, now time.Time) {
	switch f.Op {
	case herald.ActiveWithin:
		r.And(x.activity.since(toNanos(now.Add(-f.Period)), x.reachable))
	case herald.InactiveFor:
		r.AndNot(x.activity.since(toNanos(now.Add(-f.Period)), x.reachable))
	default:
		r.Clear() // Matches says an unknown operator matches nobody
	}
}

// selected maps an explicit ID list on platform p to Seqs ("platform:id"
// keys when p is ""); IDs nobody has are simply absent.
func (x *Index) selected(p herald.Platform, ids []string) *roaring.Bitmap {
	seqs := make([]uint32, 0, len(ids))
	for _, id := range ids {
		if p == "" {
			k, err := herald.ParseSubscriberKey(id)
			if err != nil {
				continue
			}
			if seq, ok := x.ids.get(accountKey(k.Platform, k.Account), k.ID); ok {
				seqs = append(seqs, seq)
			}
			continue
		}
		// A bare ID may be on any of p's accounts: Audience.Accounts
		// narrows them.
		if seq, ok := x.ids.get(p, id); ok {
			seqs = append(seqs, seq)
		}
		for acc := range x.accounts {
			if acc.Platform != p {
				continue
			}
			if seq, ok := x.ids.get(accountKey(p, acc.Name), id); ok {
				seqs = append(seqs, seq)
			}
		}
	}
	slices.Sort(seqs)
	return roaring.BitmapOf(seqs...)
}

// andOrClear intersects r with b, where a nil b is the empty set.
func andOrClear(r, b *roaring.Bitmap) {
	if b == nil {
		r.Clear()
		return
	}
	r.And(b)
}
