package herald

import (
	"crypto/rand"
	"encoding/binary"
	"math"
)

// Sample narrows an audience to a random part of it: a random Percent of
// it, at most Max people picked at random, or everyone except a random
// HoldoutPercent kept as a control group (not sent, for comparing). Exactly
// one of the three is set.
//
// The draw is reproducible: each person's place in it is Rank, a hash of
// Seed and their platform and ID, so a restarted run, a count in the
// wizard and a recount in a report pick the very same people. Seed is
// chosen once, when the sample is first set (NewSampleSeed), and kept when
// the sample's size changes (10% then 20%: the 20% holds the 10%), on a
// retry (it resends to the failed of the sampled run) and on a clone (the
// copy reaches the same people and keeps the same control group out, so
// repeated sends compare against one group). A new draw is a new Seed.
//
// Samples are bands of the rank space: Percent P takes the ranks in
// [0, P%), a holdout H sends to [H%, 100%) and keeps [0, H%) as its
// control. Disjoint bands of one Seed are disjoint random samples (A/B
// variants: SampleBand).
type Sample struct {
	Percent float64
	// From moves a Percent sample's band up: it takes [From%, From+Percent%)
	// (an A/B test's variant B, C or D: ABTest.Band).
	From           float64
	Max            int
	HoldoutPercent float64
	// Seed is at most MaxSampleSeed, so JSON carries it exactly everywhere.
	Seed uint64
}

// MaxSampleSeed is the largest seed: 2^53−1, the largest integer a JSON
// number holds exactly in every language.
const MaxSampleSeed = 1<<53 - 1

// NewSampleSeed draws a seed for a new sample, never 0.
func NewSampleSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported systems
	return max(1, binary.LittleEndian.Uint64(b[:])&MaxSampleSeed)
}

// Seeded is s with a seed: s itself when it has one, else a copy with a
// seed from draw. Seed 0 means "not drawn yet": the wizard draws one when
// a sample is first chosen, the broadcasts service when one arrives
// without (the API's seed is optional).
func (s *Sample) Seeded(draw func() uint64) *Sample {
	if s == nil || s.Seed != 0 {
		return s
	}
	c := *s
	c.Seed = draw()
	return &c
}

// Validate checks that exactly one of Percent, Max and HoldoutPercent is
// set, and in range: Max ≥ 1, 0 < Percent < 100, 0 < HoldoutPercent < 100.
func (s *Sample) Validate() error {
	set := 0
	if s.Percent != 0 {
		set++
		if !(s.Percent > 0 && s.Percent < 100) {
			return invalid("audience.sample.percent", CodeInvalid, 0)
		}
	}
	if s.Max != 0 {
		set++
		if s.Max < 1 {
			return invalid("audience.sample.max", CodeInvalid, 0)
		}
	}
	if s.From != 0 && !(s.From > 0 && s.Percent > 0 && s.From+s.Percent <= 100+bandSlack) {
		return invalid("audience.sample.from", CodeInvalid, 0)
	}
	if s.HoldoutPercent != 0 {
		set++
		if !(s.HoldoutPercent > 0 && s.HoldoutPercent < 100) {
			return invalid("audience.sample.holdout_percent", CodeInvalid, 0)
		}
	}
	if set != 1 {
		return invalid("audience.sample", CodeInvalid, 0)
	}
	if s.Seed > MaxSampleSeed {
		return invalid("audience.sample.seed", CodeInvalid, 0)
	}
	return nil
}

// SampleRank is k's place in the draw of seed: a uniform 64-bit hash of seed,
// platform and ID (FNV-1a, then a 64-bit finalizer so that IDs differing
// in one character land far apart). It never changes for a person.
func SampleRank(seed uint64, k SubscriberKey) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := range 8 {
		h = (h ^ (seed >> (8 * i) & 0xff)) * prime
	}
	for i := 0; i < len(k.Platform); i++ {
		h = (h ^ uint64(k.Platform[i])) * prime
	}
	h *= prime // a zero byte between them: ("ab", "c") is not ("a", "bc")
	for i := 0; i < len(k.ID); i++ {
		h = (h ^ uint64(k.ID[i])) * prime
	}
	// splitmix64's finalizer.
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// Band is a part of the rank space, [From%, To%): the people whose rank
// falls in it are a random From–To percent of any audience. Its bounds
// are worked out once (SampleBand), so Contains is two comparisons.
type Band struct {
	lo, hi uint64
	toEnd  bool // To is 100: hi would not fit in 64 bits
}

// SampleBand is the band [from%, to%) of the rank space. Samples of one
// seed in bands that do not overlap never share a person.
func SampleBand(from, to float64) Band {
	return Band{lo: rankCut(from), hi: rankCut(to), toEnd: to >= 100}
}

// Contains reports whether rank falls in the band.
func (b Band) Contains(rank uint64) bool {
	return rank >= b.lo && (b.toEnd || rank < b.hi)
}

// rankCut is the first rank above pct percent of the rank space.
func rankCut(pct float64) uint64 {
	if pct <= 0 {
		return 0
	}
	f := math.Ldexp(pct/100, 64)
	if f >= math.Ldexp(1, 64) {
		return math.MaxUint64
	}
	return uint64(f)
}

// Sent is the band of the rank space that is sent to (Percent and
// HoldoutPercent; a cap's band depends on the audience, see Capped).
func (s *Sample) Sent() Band {
	if s.HoldoutPercent > 0 {
		return SampleBand(s.HoldoutPercent, 100)
	}
	to := s.From + s.Percent
	if to >= 100-bandSlack { // 66.6 + 33.4 may add up to a hair under 100
		to = 100
	}
	return SampleBand(s.From, to)
}

// bandSlack absorbs float rounding where bands meet 100%.
const bandSlack = 1e-9

// Capped reports whether the sample is "at most Max people": the Max
// lowest ranks of the audience, which only the whole audience can tell.
func (s *Sample) Capped() bool { return s != nil && s.Max > 0 }

// Control is the holdout's control group as a sample of its own (the
// HoldoutPercent band of the same seed), or nil without a holdout: the
// same audience with Control as its sample is the people kept out.
func (s *Sample) Control() *Sample {
	if s == nil || s.HoldoutPercent <= 0 {
		return nil
	}
	return &Sample{Percent: s.HoldoutPercent, Seed: s.Seed}
}

// Takes reports whether k is in the sample by its band alone: always for
// a cap, which the audience index applies over the whole audience.
func (s *Sample) Takes(k SubscriberKey) bool {
	if s == nil || s.Capped() {
		return true
	}
	return s.Sent().Contains(SampleRank(s.Seed, k))
}
