package audiencetest

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
)

// Pools for the property tests, chosen to hit edge cases: case folding that
// ToLower and EqualFold treat differently (ſ, K), numbers vs dates vs text,
// invalid UTF-8, tags typed with capitals that Matches compares as given.
var (
	randTags    = []string{"vip", "beta", "news", "staff", "VIP", "x"}
	randKeys    = []string{"city", "points", "signup", "plan"}
	randValues  = []string{"10", "9", " 2.25 ", "1e3", "-0", "NaN", "Taipei", "taipei", "TAI", "ſ", "s", "K", "k", "2026-01-01", "2025-12-31T23:00:00Z", "2026-03-10", "", "abc", "\xff", "pro"}
	randOps     = []herald.AttrOp{herald.AttrEq, herald.AttrNe, herald.AttrContains, herald.AttrExists, herald.AttrMissing, herald.AttrGt, herald.AttrLt, "bogus"}
	randPeriods = []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 365 * 24 * time.Hour, 90 * time.Minute}
)

// randTime returns a last interaction that often sits exactly on a cutoff.
func randTime(r *rand.Rand, now time.Time) time.Time {
	switch r.IntN(6) {
	case 0:
		return time.Time{}
	case 1:
		return now.Add(-randPeriods[r.IntN(len(randPeriods))])
	case 2:
		return now.Add(-randPeriods[r.IntN(len(randPeriods))] + time.Duration(r.IntN(3)-1))
	case 3:
		return now.Add(-herald.MessagingWindow + time.Duration(r.IntN(3)-1))
	case 4:
		return now.Add(time.Duration(r.IntN(3)) * time.Hour) // clock skew: the future
	}
	return now.Add(-time.Duration(r.Int64N(int64(400 * 24 * time.Hour))))
}

// RandomSubscriber is an arbitrary subscriber for property tests. Its key
// is unique per seq (as storage keeps keys) but its platform may change
// between calls; tags are sometimes stored un-normalised on purpose. With
// valid set, it passes herald.Subscriber.Validate (for a real store).
func RandomSubscriber(r *rand.Rand, seq uint32, now time.Time, valid bool) *herald.Subscriber {
	s := &herald.Subscriber{
		Seq:             seq,
		Platform:        herald.Platforms[r.IntN(3)],
		ID:              string(rune('a'+r.IntN(8))) + strconv.Itoa(int(seq)),
		Kind:            []herald.SubscriberKind{herald.KindUser, herald.KindUser, herald.KindGroup}[r.IntN(3)],
		State:           []herald.SubscriberState{herald.Subscribed, herald.Subscribed, "", herald.Unsubscribed, herald.Blocked}[r.IntN(5)],
		LastInteraction: randTime(r, now),
	}
	var tags []string
	for range r.IntN(4) {
		tags = append(tags, randTags[r.IntN(len(randTags))])
	}
	if !valid && r.IntN(8) == 0 {
		s.Tags = tags // as given: unsorted, with capitals, as a buggy writer might store
	} else {
		s.SetTags(tags)
	}
	if valid {
		if s.State == "" {
			s.State = herald.Subscribed
		}
		if s.Platform == herald.Messenger {
			s.Kind = herald.KindUser
		}
	}
	if r.IntN(4) > 0 {
		s.Attributes = map[string]string{}
		for range r.IntN(4) {
			s.Attributes[randKeys[r.IntN(len(randKeys))]] = randValues[r.IntN(len(randValues))]
		}
	}
	return s
}

// RandomAudience is an arbitrary audience, valid or not (the index must
// agree with Matches either way); Selected lists draw from ids.
func RandomAudience(r *rand.Rand, ids []string) *herald.Audience {
	a := &herald.Audience{Recipients: []herald.RecipientKind{herald.Users, herald.Groups, herald.Both, "", "odd"}[r.IntN(5)]}
	for _, p := range herald.Platforms {
		if r.IntN(3) > 0 {
			a.Channels = append(a.Channels, p)
		}
	}
	pick := func() []string {
		var out []string
		for range r.IntN(3) {
			out = append(out, randTags[r.IntN(len(randTags))])
		}
		return out
	}
	if r.IntN(2) == 0 {
		a.IncludeTags = pick()
		a.TagMatch = []herald.TagMatch{herald.AnyTag, herald.AllTags, ""}[r.IntN(3)]
	}
	if r.IntN(3) == 0 {
		a.ExcludeTags = pick()
	}
	if r.IntN(2) == 0 {
		a.Activity = &herald.Activity{
			Op:     []herald.ActivityOp{herald.ActiveWithin, herald.InactiveFor, "odd"}[r.IntN(3)],
			Period: randPeriods[r.IntN(len(randPeriods))] + time.Duration(r.IntN(3)-1),
		}
	}
	for range r.IntN(3) {
		a.Attributes = append(a.Attributes, herald.AttrCondition{
			Key: randKeys[r.IntN(len(randKeys))], Op: randOps[r.IntN(len(randOps))], Value: randValues[r.IntN(len(randValues))],
		})
	}
	if r.IntN(4) == 0 {
		a.SelectedPlatform = herald.Platforms[r.IntN(3)]
		mixed := r.IntN(3) == 0 // a list across platforms: "platform:id" keys
		for _, id := range ids {
			if r.IntN(3) == 0 {
				if mixed {
					id = herald.SubscriberKey{Platform: herald.Platforms[r.IntN(3)], ID: id}.String()
				}
				a.Selected = append(a.Selected, id)
			}
		}
		if mixed {
			a.SelectedPlatform = ""
		}
		a.Selected = append(a.Selected, "nobody")
	}
	return a
}

// BruteCounter is the reference Count: feed it every subscriber and it
// applies herald.Audience.Matches to each.
type BruteCounter struct {
	A     *herald.Audience
	Cat   herald.Category
	Now   time.Time
	Count herald.Count
	Seqs  []uint32
}

// Add counts s if it is in the audience.
func (b *BruteCounter) Add(s *herald.Subscriber) {
	if b.Count.ByPlatform == nil {
		b.Count.ByPlatform = map[herald.Platform]int{}
	}
	if !b.A.Matches(s, b.Now) {
		return
	}
	b.Seqs = append(b.Seqs, s.Seq)
	b.Count.Total++
	b.Count.ByPlatform[s.Platform]++
	switch s.Kind {
	case herald.KindUser:
		b.Count.Users++
	case herald.KindGroup:
		b.Count.Groups++
	}
	if s.OperatorChat {
		b.Count.OperatorChats++
	}
	if b.Cat == herald.Marketing && s.Platform == herald.Messenger && s.Kind == herald.KindUser && !s.InWindow(b.Now) {
		b.Count.OutsideWindow++
		if s.LastInteraction.IsZero() {
			b.Count.NeverWrote++
		}
	}
}
