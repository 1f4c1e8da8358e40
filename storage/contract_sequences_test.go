package storage_test

import (
	"testing"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractSequences(t *testing.T) { storagetest.Sequences(t, bolt) }

// BenchmarkSequenceHandOut: see storagetest.BenchSequenceHandOut (the
// same benchmark runs on PostgreSQL).
func BenchmarkSequenceHandOut(b *testing.B) {
	storagetest.BenchSequenceHandOut(b, bolt, storage.BenchEnrollAll)
}
