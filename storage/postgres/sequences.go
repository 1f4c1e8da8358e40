package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Sequences (migration 0004). Every transaction that changes the people
// of a sequence (their places, its counts) holds its row's lock first, so
// their places need no locks of their own; a transaction that locks
// several sequences locks them in listing order (created_at, id), so two
// never wait for each other.

// CreateSequence stores a new sequence (its ID drawn when empty) and a
// hidden step broadcast for each of its steps, in one transaction.
func (s *Store) CreateSequence(q *herald.Sequence) error {
	nq := storage.CloneSequence(q)
	s.notes.some.Store(true) // before it commits: no change after misses its notes
	err := s.write("create sequence", func(ctx context.Context, tx pgx.Tx) error {
		if nq.ID == "" {
			for nq.ID == "" {
				nq.ID = herald.NewSequenceID()
				var taken bool
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sequences WHERE id = $1)`, nq.ID).Scan(&taken); err != nil {
					return err
				}
				if taken {
					nq.ID = ""
				}
			}
		}
		now := s.now().UTC()
		nq.CreatedAt, nq.UpdatedAt = now, now
		if err := s.syncSteps(ctx, tx, &nq, 0); err != nil {
			return err
		}
		body, err := json.Marshal(&nq)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO sequences (id, created_at, body) VALUES ($1, $2, $3)`, nq.ID, nq.CreatedAt, body)
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "23505" {
			return fmt.Errorf("sequence %s exists: %w", nq.ID, herald.ErrConflict)
		}
		return err
	})
	if err == nil {
		*q = nq
	}
	return err
}

// Sequence returns one sequence or herald.ErrNotFound.
func (s *Store) Sequence(id string) (herald.Sequence, error) {
	var q herald.Sequence
	err := s.read("read sequence "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		q, err = sequenceTx(ctx, tx, id, false)
		return err
	})
	return q, err
}

// Sequences lists every sequence, oldest first (they are few).
func (s *Store) Sequences() ([]herald.Sequence, error) {
	var out []herald.Sequence
	err := s.read("list sequences", func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = allSequencesTx(ctx, tx, false)
		return err
	})
	return out, err
}

// UpdateSequence changes a sequence with fn in one transaction: step
// broadcasts follow its steps (new ones made, content copied, removed
// ones deleted unless sending), and the people waiting for a step that no
// longer exists have finished. fn's error aborts.
func (s *Store) UpdateSequence(id string, fn func(q *herald.Sequence) error) (herald.Sequence, error) {
	var q herald.Sequence
	err := s.write("update sequence "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if q, err = sequenceTx(ctx, tx, id, true); err != nil {
			return err
		}
		old := storage.CloneSequence(&q)
		if err := fn(&q); err != nil {
			return err
		}
		storage.KeepSequenceFields(&old, &q, s.now().UTC())
		st, m := s.openMoves(ctx, tx, nil)
		for i := len(q.Steps); i < len(old.Steps); i++ {
			waiting, err := st.due(q.ID, i, nil, 0)
			if err != nil {
				return err
			}
			if err := m.FinishStep(&q, i, waiting); err != nil {
				return err
			}
			if err := s.dropStepBroadcast(ctx, tx, old.Steps[i].BroadcastID); err != nil {
				return err
			}
		}
		if err := st.flush(); err != nil {
			return err
		}
		if err := s.syncSteps(ctx, tx, &q, len(old.Steps)); err != nil {
			return err
		}
		return putSequenceTx(ctx, tx, &q)
	})
	return q, err
}

// DeleteSequence removes a sequence, its people and its step broadcasts.
// A step still sending is herald.ErrInvalidTransition: pause the sequence
// and try again once the step's run is done.
func (s *Store) DeleteSequence(id string) (herald.Sequence, error) {
	var q herald.Sequence
	err := s.write("delete sequence "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if q, err = sequenceTx(ctx, tx, id, true); err != nil {
			return err
		}
		steps := make([]*herald.Broadcast, len(q.Steps))
		for i, st := range q.Steps {
			b, err := s.broadcastTx(ctx, tx, st.BroadcastID, true)
			if errors.Is(err, herald.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if err := storage.StepNotSending(id, &b); err != nil {
				return err
			}
			steps[i] = &b
		}
		for _, b := range steps {
			if b != nil {
				if err := s.deleteBroadcastTx(ctx, tx, b); err != nil {
					return err
				}
			}
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM enrollments WHERE sequence = $1`, id)
		b.Queue(`DELETE FROM sequences WHERE id = $1`, id)
		return tx.SendBatch(ctx, b).Close()
	})
	return q, err
}

// syncSteps makes the step broadcasts of q's steps from index from on and
// copies every step's content into its broadcast.
func (s *Store) syncSteps(ctx context.Context, tx pgx.Tx, q *herald.Sequence, from int) error {
	storage.FitWaiting(q)
	now := s.now().UTC()
	for i := range q.Steps {
		st := &q.Steps[i]
		if st.BroadcastID == "" || i >= from {
			b := storage.StepBroadcast(q, i, now)
			var old herald.Broadcast
			var err error
			if st.BroadcastID != "" {
				old, err = s.broadcastTx(ctx, tx, st.BroadcastID, true)
			}
			switch {
			case st.BroadcastID == "" || errors.Is(err, herald.ErrNotFound):
				err = s.createBroadcastTx(ctx, tx, &b)
				st.BroadcastID = b.ID
			case err == nil:
				err = s.putBroadcastTx(ctx, tx, &old, &b)
			}
			if err != nil {
				return err
			}
			continue
		}
		old, err := s.broadcastTx(ctx, tx, st.BroadcastID, true)
		if err != nil {
			return err
		}
		b := old
		storage.SyncStepBroadcast(q, i, &b)
		if err := s.putBroadcastTx(ctx, tx, &old, &b); err != nil {
			return err
		}
	}
	return nil
}

// dropStepBroadcast deletes a step broadcast unless it is sending (its run
// then ends on its own and the broadcast stays, unlisted).
func (s *Store) dropStepBroadcast(ctx context.Context, tx pgx.Tx, id string) error {
	b, err := s.broadcastTx(ctx, tx, id, true)
	if err != nil || b.Status == herald.StatusSending {
		return nil
	}
	return s.deleteBroadcastTx(ctx, tx, &b)
}

// sequenceTx reads one sequence, locking its row when forUpdate, or
// herald.ErrNotFound.
func sequenceTx(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (herald.Sequence, error) {
	sql := `SELECT body FROM sequences WHERE id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	var q herald.Sequence
	var body []byte
	err := tx.QueryRow(ctx, sql, id).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return q, fmt.Errorf("sequence %s: %w", id, herald.ErrNotFound)
	}
	if err != nil {
		return q, err
	}
	if err := json.Unmarshal(body, &q); err != nil {
		return q, fmt.Errorf("sequence %s: %w", id, err)
	}
	return q, nil
}

// allSequencesTx reads every sequence in listing order, locking them all
// when forUpdate (in that order).
func allSequencesTx(ctx context.Context, tx pgx.Tx, forUpdate bool) ([]herald.Sequence, error) {
	sql := `SELECT id, body FROM sequences ORDER BY created_at, id`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	out, err := scanJSONRows[herald.Sequence](rows, "sequence")
	// created_at is kept to the microsecond: the rule orders by the exact time.
	storage.SortSequences(out)
	return out, err
}

// putSequenceTx saves a changed sequence.
func putSequenceTx(ctx context.Context, tx pgx.Tx, q *herald.Sequence) error {
	body, err := json.Marshal(q)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE sequences SET body = $2 WHERE id = $1`, q.ID, body)
	return err
}

// putDirty saves the sequences of all marked in dirty.
func putDirty(ctx context.Context, tx pgx.Tx, all []herald.Sequence, dirty []bool) error {
	for i := range all {
		if dirty[i] {
			if err := putSequenceTx(ctx, tx, &all[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
