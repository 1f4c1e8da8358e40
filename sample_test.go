package herald

import (
	"strconv"
	"testing"
)

func TestSampleValidate(t *testing.T) {
	tests := []struct {
		name  string
		s     Sample
		field string // "" means valid
	}{
		{"10 percent", Sample{Percent: 10, Seed: 7}, ""},
		{"half a percent", Sample{Percent: 0.5}, ""},
		{"at most one", Sample{Max: 1}, ""},
		{"hold out 5 percent", Sample{HoldoutPercent: 5}, ""},
		{"nothing chosen", Sample{Seed: 7}, "audience.sample"},
		{"two chosen", Sample{Percent: 10, Max: 100}, "audience.sample"},
		{"0 percent is nobody", Sample{Percent: -1}, "audience.sample.percent"},
		{"100 percent is no sample", Sample{Percent: 100}, "audience.sample.percent"},
		{"a cap below one", Sample{Max: -3}, "audience.sample.max"},
		{"holding out everyone", Sample{HoldoutPercent: 100}, "audience.sample.holdout_percent"},
		{"a negative holdout", Sample{HoldoutPercent: -5}, "audience.sample.holdout_percent"},
		{"a seed JSON cannot carry", Sample{Percent: 10, Seed: MaxSampleSeed + 1}, "audience.sample.seed"},
	}
	for _, tt := range tests {
		assertField(t, tt.name, tt.s.Validate(), tt.field)
		a := Audience{Channels: []Platform{LINE}, Recipients: Users, Sample: &tt.s}
		assertField(t, tt.name+" (in an audience)", a.Validate(), tt.field)
	}
	for range 100 {
		if s := NewSampleSeed(); s > MaxSampleSeed {
			t.Fatalf("NewSampleSeed() = %d, above MaxSampleSeed", s)
		}
	}
}

// A person's rank depends on the seed, platform and ID only; 10% of 20,000
// people is about 2,000; a holdout's sent group and its control group
// split the audience with no one in both; 10% of a seed is inside 20%.
func TestSampleRankDraw(t *testing.T) {
	const n = 20000
	keys := make([]SubscriberKey, n)
	for i := range keys {
		keys[i] = SubscriberKey{Platform: Telegram, ID: strconv.Itoa(100000 + i)}
	}
	again := SubscriberKey{Platform: Telegram, ID: keys[0].ID}
	if r := SampleRank(1, keys[0]); r != SampleRank(1, again) || r == SampleRank(2, keys[0]) ||
		r == SampleRank(1, SubscriberKey{Platform: LINE, ID: keys[0].ID}) {
		t.Error("SampleRank should be a function of the seed, platform and ID")
	}
	ten, twenty := &Sample{Percent: 10, Seed: 42}, &Sample{Percent: 20, Seed: 42}
	hold := &Sample{HoldoutPercent: 5, Seed: 42}
	var took, sent, control int
	for _, k := range keys {
		if ten.Takes(k) {
			took++
			if !twenty.Takes(k) {
				t.Fatalf("%v is in the 10%% but not the 20%% of the same seed", k)
			}
		}
		in, out := hold.Takes(k), hold.Control().Takes(k)
		if in == out {
			t.Fatalf("%v: sent %v, control %v: want exactly one", k, in, out)
		}
		if in {
			sent++
		} else {
			control++
		}
	}
	// Binomial(20000, 0.1): sd ≈ 42; ±300 is over 7 sd.
	if took < 1700 || took > 2300 {
		t.Errorf("10%% of %d took %d", n, took)
	}
	if control < 700 || control > 1300 || sent+control != n {
		t.Errorf("5%% holdout of %d: %d sent, %d control", n, sent, control)
	}
	if (&Sample{Max: 5}).Takes(keys[0]) != true || (*Sample)(nil).Takes(keys[0]) != true || (&Sample{Percent: 10}).Control() != nil {
		t.Error("a cap and no sample take everyone by band; only a holdout has a control group")
	}
}

func TestSampleBandsAreDisjoint(t *testing.T) {
	a, b := SampleBand(0, 10), SampleBand(10, 20)
	for _, r := range []uint64{0, rankCut(10) - 1, rankCut(10), rankCut(20) - 1, rankCut(20), ^uint64(0)} {
		if a.Contains(r) && b.Contains(r) {
			t.Errorf("rank %d is in both [0,10) and [10,20)", r)
		}
	}
	if !SampleBand(90, 100).Contains(^uint64(0)) || SampleBand(0, 10).Contains(rankCut(10)) {
		t.Error("band ends are wrong")
	}
}
