package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// EnrollMatching enrolls, at now, the person with Seq sub in every active
// sequence whose trigger matches (kind and detail, see
// herald.Trigger.Matches) and who is not in it already, in one
// transaction. Someone who finished or left may enter again. It returns
// the sequences they entered.
func (s *Store) EnrollMatching(kind herald.TriggerKind, detail string, sub uint32, now time.Time, timing herald.StepTiming) ([]string, error) {
	var entered []string
	err := s.writeAll("enroll in sequences", timing, func(st *seqTx, m *storage.SequenceMoves, all []herald.Sequence, dirty []bool) error {
		var err error
		entered, err = m.EnrollAll(all, dirty, kind, detail, sub, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return entered, nil
}

// LeaveSequences takes the person with Seq sub out of every sequence in
// which they wait for a step and leaves reports true for (nil: all): they
// unsubscribed or blocked the bot, or got an exit tag. Someone whose step
// is being sent is skipped by its run and leaves when it ends. It returns
// the sequences left.
func (s *Store) LeaveSequences(sub uint32, leaves func(q *herald.Sequence) bool) ([]string, error) {
	var left []string
	err := s.writeAll("leave sequences", nil, func(st *seqTx, m *storage.SequenceMoves, all []herald.Sequence, dirty []bool) error {
		if err := m.LeaveAll(all, dirty, sub, leaves); err != nil {
			return err
		}
		for i := range all {
			if dirty[i] {
				left = append(left, all[i].ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return left, nil
}

// writeAll runs fn in a write transaction holding every sequence (locked,
// in listing order), then saves the places and the sequences fn changed
// (marked in dirty).
func (s *Store) writeAll(what string, timing herald.StepTiming,
	fn func(st *seqTx, m *storage.SequenceMoves, all []herald.Sequence, dirty []bool) error) error {
	return s.write(what, func(ctx context.Context, tx pgx.Tx) error {
		all, err := allSequencesTx(ctx, tx, true)
		if err != nil || len(all) == 0 {
			return err
		}
		st, m := s.openMoves(ctx, tx, timing)
		dirty := make([]bool, len(all))
		if err := fn(st, m, all, dirty); err != nil {
			return err
		}
		if err := st.flush(); err != nil {
			return err
		}
		return putDirty(ctx, tx, all, dirty)
	})
}

// stepDue is the earliest time anyone waits for in step of sequence id.
type stepDue struct {
	id   string
	step int
	due  time.Time
}

// activeSteps lists the steps of the active sequences that have someone
// waiting and are not sending already, each with its earliest due time:
// one seek of the due index per step, in one query.
func (s *Store) activeSteps(ctx context.Context, tx pgx.Tx) ([]stepDue, error) {
	all, err := allSequencesTx(ctx, tx, false)
	if err != nil {
		return nil, err
	}
	var ids []string
	var steps []int32
	for _, q := range all {
		for i := range q.Steps {
			if !q.Paused {
				ids, steps = append(ids, q.ID), append(steps, int32(i))
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT s.id, s.step, d.due FROM unnest($1::text[], $2::int[]) AS s(id, step)
		CROSS JOIN LATERAL (SELECT due FROM enrollments e
			WHERE e.sequence = s.id AND e.step = s.step AND e.run = 0 ORDER BY due LIMIT 1) d`, ids, steps)
	if err != nil {
		return nil, err
	}
	var found []stepDue
	var sd stepDue
	if _, err := pgx.ForEachRow(rows, []any{&sd.id, &sd.step, &sd.due}, func() error {
		sd.due = sd.due.UTC()
		found = append(found, sd)
		return nil
	}); err != nil {
		return nil, err
	}
	bids := map[string]string{}
	for _, q := range all {
		for i, st := range q.Steps {
			bids[fmt.Sprintf("%s/%d", q.ID, i)] = st.BroadcastID
		}
	}
	out := found[:0]
	for _, sd := range found {
		busy, err := s.stepBusy(ctx, tx, bids[fmt.Sprintf("%s/%d", sd.id, sd.step)])
		if err != nil {
			return nil, err
		}
		if !busy {
			out = append(out, sd)
		}
	}
	return out, nil
}

// stepBusy reports whether the step whose broadcast is bid is busy (see
// storage.StepBusy).
func (s *Store) stepBusy(ctx context.Context, tx pgx.Tx, bid string) (bool, error) {
	b, err := s.broadcastTx(ctx, tx, bid, false)
	if errors.Is(err, herald.ErrNotFound) {
		return storage.StepBusy(nil), nil
	}
	if err != nil {
		return false, err
	}
	return storage.StepBusy(&b), nil
}

// NextSequenceDue is the earliest time anyone waits for in an active
// sequence whose step is not sending already: one seek per step.
func (s *Store) NextSequenceDue() (time.Time, bool, error) {
	var next time.Time
	err := s.read("next sequence step", func(ctx context.Context, tx pgx.Tx) error {
		steps, err := s.activeSteps(ctx, tx)
		for _, sd := range steps {
			if next.IsZero() || sd.due.Before(next) {
				next = sd.due
			}
		}
		return err
	})
	return next, !next.IsZero(), err
}

// TakeEvent records an API event's ID; false when it was taken before (a
// client's retry), so the event triggers once.
func (s *Store) TakeEvent(id string, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(context.Background(),
		`INSERT INTO api_events (id, taken_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, at)
	if err != nil {
		return false, fmt.Errorf("storage: take event: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SequenceRuns lists the step runs whose people have not moved on: after
// a restart, those that finished meanwhile are advanced.
func (s *Store) SequenceRuns() ([]string, error) {
	var ids []string
	err := s.read("list sequence runs", func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT run_id FROM sequence_runs ORDER BY run_id COLLATE "C"`)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return ids, err
}
