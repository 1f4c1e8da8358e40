package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald/audience/audiencetest"
	"github.com/heraldbot/herald/storage/pgtest"
)

// BenchmarkOpen1MPostgres times Open of a database with 1,000,000
// subscribers, which rebuilds the audience index from it (one op = one
// Open); put_s is how long loading them took (PutSubscribers, batches of
// 10,000: the import path); reachable_indexed is what the index holds
// (the reachable ones of the million). Setup writes the million first: run with
// -benchtime=1x or a little more. Skipped without HERALD_TEST_POSTGRES.
func BenchmarkOpen1MPostgres(b *testing.B) {
	const n = 1_000_000
	url := pgtest.URL(b)
	ctx := context.Background()
	s, err := Open(ctx, url, Options{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	start := time.Now()
	// The data shape: channels, skewed tags, attributes, a year of activity.
	if err := audiencetest.Load(s.PutSubscribers, n, 10_000, 1, now); err != nil {
		b.Fatal(err)
	}
	put := time.Since(start).Seconds()
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	indexed := 0
	for b.Loop() {
		s, err := Open(ctx, url, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if indexed = s.index().Len(); indexed == 0 || indexed > n {
			b.Fatalf("index holds %d of %d", indexed, n)
		}
		_ = s.Close()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "open_s")
	b.ReportMetric(put, "put_s")
	b.ReportMetric(float64(indexed), "reachable_indexed")
}
