package storage_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractSequences(t *testing.T) { storagetest.Sequences(t, bolt) }

// BenchmarkSequenceHandOut: see storagetest.BenchSequenceHandOut (the
// same benchmark runs on PostgreSQL).
func BenchmarkSequenceHandOut(b *testing.B) {
	storagetest.BenchSequenceHandOut(b, func(b *testing.B, now func() time.Time) storage.Backend {
		s, err := storage.Open(filepath.Join(b.TempDir(), "herald.db"), storage.Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}, storage.BenchEnrollAll)
}
