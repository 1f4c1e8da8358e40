package postgres_test

import (
	"testing"

	"github.com/heraldbot/herald/storage/postgres"
	"github.com/heraldbot/herald/storage/storagetest"
)

func TestContractSequences(t *testing.T) { storagetest.Sequences(t, pg) }

// BenchmarkSequenceHandOut: see storagetest.BenchSequenceHandOut (the
// same benchmark runs on bbolt).
func BenchmarkSequenceHandOut(b *testing.B) {
	storagetest.BenchSequenceHandOut(b, pg, postgres.BenchEnroll)
}
