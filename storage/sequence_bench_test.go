package storage

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// BenchEnrollAll is enrollAll for BenchmarkSequenceHandOut (package
// storage_test, beside the contract's openers).
var BenchEnrollAll = enrollAll

// enrollAll puts subscribers 1..n at step 0 of q, due at due(seq), 10,000
// per transaction.
func enrollAll(b *testing.B, be Backend, q *herald.Sequence, n int, due func(seq uint32) time.Time) {
	b.Helper()
	s := be.(*Store)
	for from := 1; from <= n; from += 10_000 {
		err := s.update("bench enroll", func(tx *bolt.Tx) error {
			var stored herald.Sequence
			if err := getJSON(tx.Bucket(bucketSequences), []byte(q.ID), &stored); err != nil {
				return err
			}
			_, m := openMoves(tx, nil)
			for seq := uint32(from); seq < uint32(min(from+10_000, n+1)); seq++ {
				if err := m.wait(&stored, seq, nil, 0, due(seq)); err != nil {
					return err
				}
			}
			stored.Counts.Enrolled += min(10_000, n+1-from)
			*q = stored
			return putJSON(tx.Bucket(bucketSequences), []byte(q.ID), &stored)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
