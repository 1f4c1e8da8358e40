package postgres_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/storagetest"
)

// BenchmarkDispatch runs one run's storage work (storagetest.Dispatch:
// snapshot, pages, group commits) for 200,000 recipients on bbolt and on
// PostgreSQL in the same run, and reports each one's deliveries/s and
// their ratio (issue #15 asks ≥ 0.5). Skipped without
// HERALD_TEST_POSTGRES.
//
//	go test -run '^$' -bench Dispatch -benchtime 1x ./storage/postgres/
func BenchmarkDispatch(b *testing.B) {
	const n = 200_000
	var boltTook, pgTook time.Duration
	for b.Loop() {
		b.StopTimer()
		bs, err := storage.Open(filepath.Join(b.TempDir(), "bench.db"), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		boltTook += storagetest.Dispatch(b, bs, n)
		b.StopTimer()
		_ = bs.Close()
		ps := pg.Open(b, nil)
		b.StartTimer()
		pgTook += storagetest.Dispatch(b, ps, n)
		b.StopTimer()
		_ = ps.Close()
		b.StartTimer()
	}
	boltRate := float64(n*b.N) / boltTook.Seconds()
	pgRate := float64(n*b.N) / pgTook.Seconds()
	b.ReportMetric(boltRate, "bbolt-deliveries/s")
	b.ReportMetric(pgRate, "pg-deliveries/s")
	b.ReportMetric(pgRate/boltRate, "pg/bbolt")
}
