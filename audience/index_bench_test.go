package audience_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	"github.com/heraldbot/herald/audience/audiencetest"
)

var benchNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

const benchN = 1_000_000

// buildIndex generates n subscribers into a fresh index, streaming them
// through one reused Subscriber as a rebuild from bbolt would.
func buildIndex(n int) *audience.Index {
	x := audience.NewIndex()
	g := audiencetest.NewGenerator(1, benchNow)
	var s herald.Subscriber
	for range n {
		g.Next(&s)
		x.Put(nil, &s)
	}
	return x
}

// BenchmarkBuild1M times Put alone over pre-generated subscribers (the
// generator's own cost is left out; a rebuild from bbolt adds decoding).
func BenchmarkBuild1M(b *testing.B) {
	subs := audiencetest.Subscribers(benchN, 1, benchNow)
	for b.Loop() {
		x := audience.NewIndex()
		for i := range subs {
			x.Put(nil, &subs[i])
		}
	}
}

// BenchmarkBuilder1M is BenchmarkBuild1M through the Builder, the path
// storage rebuilds with at start; the two are the same-run comparison.
func BenchmarkBuilder1M(b *testing.B) {
	subs := audiencetest.Subscribers(benchN, 1, benchNow)
	for b.Loop() {
		x := audience.NewBuilder()
		for i := range subs {
			x.Add(&subs[i])
		}
		x.Index()
	}
}

// BenchmarkCount1M is the target: include tag A or B, exclude C,
// active in 30 days, over 1,000,000 subscribers. Baseline in the same run:
// BenchmarkScan1M.
func BenchmarkCount1M(b *testing.B) {
	x := buildIndex(benchN)
	a := audiencetest.BenchAudience()
	b.ResetTimer()
	for b.Loop() {
		x.Count(a, herald.Marketing, benchNow)
	}
}

// BenchmarkCountShapes times other audiences admins build, on the same
// 1M subscribers: the cost must not explode for long periods or attributes.
func BenchmarkCountShapes(b *testing.B) {
	x := buildIndex(benchN)
	all := herald.Platforms
	shapes := []struct {
		name string
		a    *herald.Audience
	}{
		{"everyone", &herald.Audience{Channels: all, Recipients: herald.Both}},
		{"active_180d", &herald.Audience{Channels: all, Recipients: herald.Users, Activity: &herald.Activity{Op: herald.ActiveWithin, Period: 180 * 24 * time.Hour}}},
		{"winback_90d", &herald.Audience{Channels: all, Recipients: herald.Users, Activity: &herald.Activity{Op: herald.InactiveFor, Period: 90 * 24 * time.Hour}}},
		{"all_of_3_tags", &herald.Audience{Channels: all, Recipients: herald.Users, IncludeTags: []string{"news", "promo", "coupon"}, TagMatch: herald.AllTags}},
		{"points_gt_2500_and_city_contains", &herald.Audience{Channels: all, Recipients: herald.Users, Attributes: []herald.AttrCondition{
			{Key: "points", Op: herald.AttrGt, Value: "2500"}, {Key: "city", Op: herald.AttrContains, Value: "tai"}}}},
		{"signup_before_date", &herald.Audience{Channels: all, Recipients: herald.Users, Attributes: []herald.AttrCondition{
			{Key: "signup", Op: herald.AttrLt, Value: "2025-01-01"}}}},
		// A sample hashes each matched person's platform and ID: the
		// "everyone" shape above is its baseline in the same run.
		{"everyone_10pct", &herald.Audience{Channels: all, Recipients: herald.Both, Sample: &herald.Sample{Percent: 10, Seed: 1}}},
		{"everyone_at_most_1000", &herald.Audience{Channels: all, Recipients: herald.Both, Sample: &herald.Sample{Max: 1000, Seed: 1}}},
		{"everyone_at_most_100000", &herald.Audience{Channels: all, Recipients: herald.Both, Sample: &herald.Sample{Max: 100000, Seed: 1}}},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			for b.Loop() {
				x.Count(sh.a, herald.Marketing, benchNow)
			}
		})
	}
}

// BenchmarkScan1M is the naive baseline: Matches over every subscriber held
// in memory (the fastest brute force can be; bbolt would be slower).
func BenchmarkScan1M(b *testing.B) {
	subs := audiencetest.Subscribers(benchN, 1, benchNow)
	a := audiencetest.BenchAudience()
	for b.Loop() {
		n := 0
		for i := range subs {
			if a.Matches(&subs[i], benchNow) {
				n++
			}
		}
		_ = n
	}
}

// BenchmarkStreamMatched walks every matched Seq the way storage streams
// recipients: allocations must not grow with the number of recipients.
func BenchmarkStreamMatched(b *testing.B) {
	x := buildIndex(benchN)
	a := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Both}
	m := x.Match(a, benchNow)
	buf := make([]uint32, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var sum uint64
		it := m.ManyIterator()
		for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
			for _, seq := range buf[:n] {
				sum += uint64(seq)
			}
		}
		_ = sum
	}
	b.ReportMetric(float64(m.GetCardinality()), "recipients/op")
}

// BenchmarkIndexMemory reports the heap the index holds for 1M subscribers.
func BenchmarkIndexMemory(b *testing.B) {
	for b.Loop() {
		mb := audience.MeasureHeapMB(func() any { return buildIndex(benchN) })
		b.ReportMetric(mb, "index_MB")
	}
}

// BenchmarkCountSelected100k counts an uploaded list of 100,000 LINE IDs
// (half of them unknown) over 1M subscribers: the ID lookups dominate.
func BenchmarkCountSelected100k(b *testing.B) {
	subs := audiencetest.Subscribers(benchN, 1, benchNow)
	x := audience.NewBuilder()
	var ids []string
	for i := range subs {
		x.Add(&subs[i])
		if subs[i].Platform == herald.LINE && len(ids) < 50_000 {
			ids = append(ids, subs[i].ID, subs[i].ID[:len(subs[i].ID)-1]+"x")
		}
	}
	idx := x.Index()
	a := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Both, SelectedPlatform: herald.LINE, Selected: ids}
	b.ResetTimer()
	for b.Loop() {
		idx.Count(a, herald.Marketing, benchNow)
	}
}
