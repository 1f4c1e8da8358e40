package inbound

import (
	"context"
	"fmt"
	"github.com/heraldbot/herald/handlers/internal/storerig"
	"sync"
	"testing"
	"time"
)

// BenchmarkFollowBurst measures a webhook burst (2,000 concurrent follows,
// each with its webhook event ID, checked against those seen lately)
// written with group commit against the baseline of one transaction per
// event, in the same run, and reports both rates and their ratio.
func BenchmarkFollowBurst(b *testing.B) {
	const n = 2000
	burst := func(maxBatch int, round int) time.Duration {
		in := New(storerig.Open(b), Options{MaxBatch: maxBatch})
		defer func() { _ = in.Close(context.Background()) }()
		start := time.Now()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if _, err := in.Record(context.Background(), Event{Kind: Subscribe, Key: lineKey(fmt.Sprintf("U%d-%d", round, i)),
					ID: fmt.Sprintf("01FOLLOW%d-%d", round, i)}); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	var base, grouped time.Duration
	for i := range b.N {
		base += burst(1, i)
		grouped += burst(0, i)
	}
	perSec := func(d time.Duration) float64 { return float64(n*b.N) / d.Seconds() }
	b.ReportMetric(perSec(base), "baseline_follows/s")
	b.ReportMetric(perSec(grouped), "grouped_follows/s")
	b.ReportMetric(base.Seconds()/grouped.Seconds(), "speedup")
}
