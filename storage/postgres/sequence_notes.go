package postgres

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// Sequence notes (see storage/sequence_notes.go): what happened to a
// person that may start or end sequences, written in the transaction of
// the change itself while at least one sequence exists, and applied in
// order by ApplySequenceNotes, each in the transaction that deletes it.
// Which notes a change makes is decided in package storage
// (ChangedNotes, InboundNotes), for both engines.

// notesState is what the sequence notes keep in memory.
type notesState struct {
	// written says a transaction wrote notes since the hook was last
	// called; hook is OnSequenceNotes' fn.
	written atomic.Bool
	hook    atomic.Pointer[func()]
	// some says sequences may exist: set by CreateSequence before it
	// commits, or by a look at the table (none is looked at again after
	// a second at most, for a sequence another instance made).
	some   atomic.Bool
	looked atomic.Int64 // when none was last seen, Unix nanoseconds
}

// noSequences reports whether no sequence exists, so that a change pays
// for notes only once one does. A "maybe" keeps the exact answer to the
// insert (putNotes), in the change's own transaction.
func (s *Store) noSequences(ctx context.Context, tx pgx.Tx) (bool, error) {
	if s.notes.some.Load() {
		return false, nil
	}
	now := time.Now().UnixNano()
	if last := s.notes.looked.Load(); last != 0 && now-last < int64(time.Second) {
		return true, nil
	}
	var some bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sequences)`).Scan(&some); err != nil {
		return false, err
	}
	if some {
		s.notes.some.Store(true)
	}
	s.notes.looked.Store(now)
	return !some, nil
}

// noteChanged writes, in tx, the sequence notes of a saved change of a
// subscriber (old is nil for a new one).
func (s *Store) noteChanged(ctx context.Context, tx pgx.Tx, old, sub *herald.Subscriber) error {
	return s.putNotes(ctx, tx, storage.ChangedNotes(old, sub))
}

// noteTriggers writes, in tx, trigger notes (follow, tag, tap) in one
// statement; the engagement part writes those storage.InboundNotes
// decides.
func (s *Store) noteTriggers(ctx context.Context, tx pgx.Tx, notes []storage.SequenceNote) error {
	return s.putNotes(ctx, tx, notes)
}

// putNotes writes notes in one statement that writes nothing while no
// sequence exists; a bot without sequences skips it (noSequences).
func (s *Store) putNotes(ctx context.Context, tx pgx.Tx, notes []storage.SequenceNote) error {
	if len(notes) == 0 {
		return nil
	}
	if none, err := s.noSequences(ctx, tx); err != nil || none {
		return err
	}
	seqs, kinds, details := make([]int64, len(notes)), make([]string, len(notes)), make([][]byte, len(notes))
	for i, n := range notes {
		seqs[i], kinds[i], details[i] = int64(n.Seq), string(n.Kind), []byte(n.Detail)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO sequence_notes (seq, kind, detail)
		SELECT n.seq, n.kind, n.detail FROM unnest($1::bigint[], $2::text[], $3::bytea[]) WITH ORDINALITY AS n(seq, kind, detail, i)
		WHERE EXISTS (SELECT 1 FROM sequences) ORDER BY i`, seqs, kinds, details)
	if err != nil {
		return err
	}
	if tag.RowsAffected() > 0 {
		s.notes.written.Store(true)
	}
	return nil
}

// OnSequenceNotes sets fn to be called after a commit that wrote sequence
// notes: the sequence loop's Kick.
func (s *Store) OnSequenceNotes(fn func()) { s.notes.hook.Store(&fn) }

// committed runs after each committed write transaction: it tells the
// sequence loop (OnSequenceNotes) when notes were written.
func (s *Store) committed() {
	if s.notes.written.Swap(false) {
		if fn := s.notes.hook.Load(); fn != nil {
			(*fn)()
		}
	}
}

// ApplySequenceNotes applies up to limit notes, oldest first, in one
// transaction that also deletes them (see storage.SequenceMoves.ApplyNote).
// It returns how many notes it applied (limit: there may be more).
func (s *Store) ApplySequenceNotes(now time.Time, limit int, timing herald.StepTiming) (int, error) {
	n := 0
	err := s.write("apply sequence notes", func(ctx context.Context, tx pgx.Tx) error {
		n = 0
		// The sequences first, as every writer of places locks them.
		all, err := allSequencesTx(ctx, tx, true)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT n, seq, kind, detail FROM sequence_notes ORDER BY n LIMIT $1 FOR UPDATE`, limit)
		if err != nil {
			return err
		}
		var ns []int64
		var notes []storage.SequenceNote
		var id, seq int64
		var kind string
		var detail []byte
		if _, err := pgx.ForEachRow(rows, []any{&id, &seq, &kind, &detail}, func() error {
			ns = append(ns, id)
			notes = append(notes, storage.SequenceNote{Seq: uint32(seq), Kind: herald.TriggerKind(kind), Detail: string(detail)})
			return nil
		}); err != nil || len(ns) == 0 {
			return err
		}
		st, m := s.openMoves(ctx, tx, timing)
		dirty := make([]bool, len(all))
		for _, note := range notes {
			if err := m.ApplyNote(all, dirty, note, now); err != nil {
				return err
			}
		}
		if err := st.flush(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sequence_notes WHERE n = ANY($1)`, ns); err != nil {
			return err
		}
		n = len(ns)
		return putDirty(ctx, tx, all, dirty)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
