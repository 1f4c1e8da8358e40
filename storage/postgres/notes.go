package postgres

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/jackc/pgx/v5"
)

// notesState is what the sequence notes keep in memory. (Skeleton: the
// sequences part fills it in.)
type notesState struct{}

// noteChanged writes, in tx, the sequence notes of a saved change of a
// subscriber (old is nil for a new one), as the bbolt store's notesTx.changed.
func (s *Store) noteChanged(ctx context.Context, tx pgx.Tx, old, sub *herald.Subscriber) error {
	return nil
}

// noteTrigger writes, in tx, a trigger note (follow, tag, tap) for seq.
func (s *Store) noteTrigger(ctx context.Context, tx pgx.Tx, seq uint32, kind herald.TriggerKind, detail string) error {
	return nil
}

// committed runs after each committed write transaction: it tells the
// sequence loop (OnSequenceNotes) when the transaction wrote notes.
func (s *Store) committed() {}
