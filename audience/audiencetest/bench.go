package audiencetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

// Load generates n subscribers and hands them to put in batches (storage's
// PutSubscribers): batch elements are reused, so put must not keep them.
func Load(put func([]herald.Subscriber) error, n, batch int, seed uint64, now time.Time) error {
	g := NewGenerator(seed, now)
	buf := make([]herald.Subscriber, batch)
	for done := 0; done < n; {
		k := min(batch, n-done)
		for i := range buf[:k] {
			g.Next(&buf[i])
		}
		if err := put(buf[:k]); err != nil {
			return fmt.Errorf("audiencetest: load subscribers %d–%d: %w", done+1, done+k, err)
		}
		done += k
	}
	return nil
}

// Each streams every stored subscriber (storage.Store.EachSubscriber).
type Each func(fn func(sub *herald.Subscriber) error) error

// Result is one `herald bench audience` measurement.
type Result struct {
	Subscribers int     // subscribers streamed from the source
	Matched     int     // the audience's size (index and scan agree)
	CountMs     float64 // median indexed Count
	ScanMs      float64 // median brute-force scan of the source with Matches
	BuildS      float64 // index rebuild from the source
	IndexMB     float64 // heap the index keeps (HeapAlloc after GC, delta)
}

// String is the summary line the load tool prints last.
func (r Result) String() string {
	ratio := 0.0
	if r.CountMs > 0 {
		ratio = r.ScanMs / r.CountMs
	}
	return fmt.Sprintf("subscribers=%d count_ms_median=%.3f scan_ms_median=%.1f ratio=%.0f index_build_s=%.2f index_mb=%.1f",
		r.Subscribers, r.CountMs, r.ScanMs, ratio, r.BuildS, r.IndexMB)
}

// Measure rebuilds an index from each, then times Count of a against a naive
// full scan of each with herald.Audience.Matches — the baseline measured in
// the same run — and checks that both agree.
func Measure(each Each, a *herald.Audience, now time.Time, countRuns, scanRuns int) (Result, error) {
	var res Result
	var x *audience.Index
	var buildErr error
	res.IndexMB = audience.MeasureHeapMB(func() any {
		start := time.Now()
		// The Builder, as storage rebuilds at start (each streams in Seq order).
		b := audience.NewBuilder()
		buildErr = each(func(s *herald.Subscriber) error {
			res.Subscribers++
			b.Add(s)
			return nil
		})
		x = b.Index()
		res.BuildS = time.Since(start).Seconds()
		return x
	})
	if buildErr != nil {
		return res, fmt.Errorf("audiencetest: build index: %w", buildErr)
	}
	counts := make([]float64, 0, countRuns)
	for range countRuns {
		start := time.Now()
		c := x.Count(a, herald.Marketing, now)
		counts = append(counts, ms(time.Since(start)))
		res.Matched = c.Total
	}
	scans := make([]float64, 0, scanRuns)
	for range scanRuns {
		start := time.Now()
		n := 0
		err := each(func(s *herald.Subscriber) error {
			if a.Matches(s, now) {
				n++
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("audiencetest: scan: %w", err)
		}
		scans = append(scans, ms(time.Since(start)))
		if n != res.Matched {
			return res, fmt.Errorf("audiencetest: index counted %d, full scan %d: the index is wrong", res.Matched, n)
		}
	}
	res.CountMs, res.ScanMs = median(counts), median(scans)
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
