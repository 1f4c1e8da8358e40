package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// BenchEnroll is benchEnroll for BenchmarkSequenceHandOut (package
// postgres_test, beside the contract's openers).
var BenchEnroll = benchEnroll

// benchEnroll puts Seqs 1..n at step 0 of q, due at due(seq), in one COPY
// (the trigger path enrolls one person per transaction).
func benchEnroll(b *testing.B, be storage.Backend, q *herald.Sequence, n int, due func(seq uint32) time.Time) {
	b.Helper()
	s := be.(*Store)
	err := s.write("bench enroll", func(ctx context.Context, tx pgx.Tx) error {
		stored, err := sequenceTx(ctx, tx, q.ID, true)
		if err != nil {
			return err
		}
		seq := uint32(0)
		rows := pgx.CopyFromFunc(func() ([]any, error) {
			if seq == uint32(n) {
				return nil, nil
			}
			seq++
			return []any{q.ID, int64(seq), 0, 0, due(seq)}, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"enrollments"}, []string{"sequence", "seq", "step", "run", "due"}, rows); err != nil {
			return err
		}
		stored.Counts.Enrolled, stored.Counts.Waiting[0] = n, n
		*q = stored
		return putSequenceTx(ctx, tx, &stored)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(context.Background(), `ANALYZE enrollments`); err != nil {
		b.Fatal(err)
	}
}
