package postgres_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractSequences(t *testing.T) { storagetest.Sequences(t, pg) }

// BenchmarkSequenceHandOut: see storagetest.BenchSequenceHandOut (the
// same benchmark runs on bbolt).
func BenchmarkSequenceHandOut(b *testing.B) {
	storagetest.BenchSequenceHandOut(b, func(b *testing.B, now func() time.Time) storage.Backend {
		return openPG(b, pgtest.URL(b), now, false)
	}, postgres.BenchEnroll)
}
