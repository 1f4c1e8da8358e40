package audience_test

import (
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

// crowd is n reachable users over the three platforms, with every ID shape
// the index packs (LINE hex, Telegram numbers, negative group IDs) and
// some it does not, tagged "even" on every other Seq.
func crowd(n int) []*herald.Subscriber {
	subs := make([]*herald.Subscriber, n)
	for i := range subs {
		s := &herald.Subscriber{Seq: uint32(i + 1), Kind: herald.KindUser, State: herald.Subscribed}
		switch i % 4 {
		case 0:
			s.Platform, s.ID = herald.LINE, fmt.Sprintf("U%032x", i*7919)
		case 1:
			s.Platform, s.ID = herald.Telegram, fmt.Sprint(100000+i)
		case 2:
			s.Platform, s.ID, s.Kind = herald.Telegram, fmt.Sprint(-1001000000000-i), herald.KindGroup
		default:
			s.Platform, s.ID = herald.Messenger, fmt.Sprintf("psid_%d", i)
		}
		if i%2 == 0 {
			s.SetTags([]string{"even"})
		}
		subs[i] = s
	}
	return subs
}

func seqs(x *audience.Index, a *herald.Audience) []uint32 { return x.Match(a, now).ToArray() }

// The index samples exactly as herald.Audience.MatchesWith does, whatever
// the ID's shape, and a holdout's sent and control groups split the
// audience.
func TestIndexSampleAgreesWithMatches(t *testing.T) {
	subs := crowd(4000)
	x := newIndex(subs)
	base := herald.Audience{Channels: herald.Platforms, Recipients: herald.Both, TagMatch: herald.AnyTag}
	for _, s := range []*herald.Sample{{Percent: 10, Seed: 3}, {Percent: 37.5, Seed: 99}, {HoldoutPercent: 5, Seed: 3}} {
		a := base
		a.Sample = s
		var want []uint32
		for _, sub := range subs {
			if a.Matches(sub, now) {
				want = append(want, sub.Seq)
			}
		}
		if got := seqs(x, &a); !slices.Equal(got, want) {
			t.Errorf("%+v: index picked %d, Matches %d", *s, len(got), len(want))
		}
		c := x.Count(&a, herald.Marketing, now)
		if c.Total != len(want) || c.Before != len(subs) {
			t.Errorf("%+v: count %d of %d, want %d of %d", *s, c.Total, c.Before, len(want), len(subs))
		}
		if ctl := s.Control(); ctl != nil {
			a.Sample = ctl
			control := seqs(x, &a)
			if c.Control != len(control) || len(control)+len(want) != len(subs) {
				t.Errorf("holdout: %d sent + %d control (count says %d) of %d", len(want), len(control), c.Control, len(subs))
			}
			for _, seq := range control {
				if _, found := slices.BinarySearch(want, seq); found {
					t.Fatalf("Seq %d is both sent and in the control group", seq)
				}
			}
		}
	}
}

// A cap picks exactly N people, the N lowest ranks (not the first N), the
// same ones in an index built afresh (a restart); a cap above the audience
// takes everyone.
func TestIndexCapPicksTheLowestRanks(t *testing.T) {
	subs := crowd(3000)
	a := herald.Audience{Channels: herald.Platforms, Recipients: herald.Both, TagMatch: herald.AnyTag,
		IncludeTags: []string{"even"}, Sample: &herald.Sample{Max: 250, Seed: 11}}
	x := newIndex(subs)
	got := seqs(x, &a)
	if len(got) != 250 {
		t.Fatalf("at most 250 picked %d", len(got))
	}
	var even []*herald.Subscriber
	for _, s := range subs {
		if s.HasTag("even") {
			even = append(even, s)
		}
	}
	rank := func(s *herald.Subscriber) uint64 { return herald.SampleRank(11, s.Key()) }
	sort.Slice(even, func(i, j int) bool { return rank(even[i]) < rank(even[j]) })
	var want []uint32
	for _, s := range even[:250] {
		want = append(want, s.Seq)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Error("the cap did not pick the 250 lowest ranks")
	}
	if got[len(got)-1] < 2500 {
		t.Errorf("the cap picked from the first Seqs only (highest %d)", got[len(got)-1])
	}
	if again := seqs(newIndex(crowd(3000)), &a); !slices.Equal(again, got) {
		t.Error("a fresh index picked other people for the same seed")
	}
	a.Sample = &herald.Sample{Max: 5000, Seed: 11}
	if c := x.Count(&a, herald.Marketing, now); c.Total != 1500 || c.Before != 1500 {
		t.Errorf("cap above the audience: %d of %d, want everyone (1500)", c.Total, c.Before)
	}
}
