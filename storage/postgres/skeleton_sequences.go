package postgres

// Skeleton of the sequences part: the sequences part replaces everything here
// with its own files and deletes this one. Nothing here may be merged.

import (
	"context"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

var (
	_ = context.Background
	_ = time.Now
	_ storage.Records
	_ pgx.Tx
	_ herald.Broadcast
)

// noteChanged writes, in tx, the sequence notes of a saved change of a
// subscriber (old is nil for a new one), as the bbolt store's notesTx.changed.
func (s *Store) noteChanged(ctx context.Context, tx pgx.Tx, old, sub *herald.Subscriber) error {
	return nil
}

// noteTrigger writes, in tx, a trigger note (follow, tag, tap) for seq.
func (s *Store) noteTrigger(ctx context.Context, tx pgx.Tx, seq uint32, kind herald.TriggerKind, detail string) error {
	return nil
}

func (s *Store) CreateSequence(q *herald.Sequence) error {
	panic("postgres: CreateSequence is not written yet")
}

func (s *Store) Sequence(id string) (herald.Sequence, error) {
	panic("postgres: Sequence is not written yet")
}

func (s *Store) Sequences() ([]herald.Sequence, error) {
	panic("postgres: Sequences is not written yet")
}

func (s *Store) UpdateSequence(id string, fn func(q *herald.Sequence) error) (herald.Sequence, error) {
	panic("postgres: UpdateSequence is not written yet")
}

func (s *Store) DeleteSequence(id string) (herald.Sequence, error) {
	panic("postgres: DeleteSequence is not written yet")
}

func (s *Store) EnrollMatching(kind herald.TriggerKind, detail string, sub uint32, now time.Time, timing herald.StepTiming) ([]string, error) {
	panic("postgres: EnrollMatching is not written yet")
}

func (s *Store) NextSequenceDue() (time.Time, bool, error) {
	panic("postgres: NextSequenceDue is not written yet")
}

func (s *Store) TakeEvent(id string, at time.Time) (bool, error) {
	panic("postgres: TakeEvent is not written yet")
}

func (s *Store) SequenceRuns() ([]string, error) {
	panic("postgres: SequenceRuns is not written yet")
}

func (s *Store) LeaveSequences(sub uint32, leaves func(q *herald.Sequence) bool) ([]string, error) {
	panic("postgres: LeaveSequences is not written yet")
}

func (s *Store) HandOutSteps(now time.Time, batch int, timing herald.StepTiming) ([]string, int, error) {
	panic("postgres: HandOutSteps is not written yet")
}

func (s *Store) AdvanceStepRun(runID string, timing herald.StepTiming) error {
	panic("postgres: AdvanceStepRun is not written yet")
}

func (s *Store) OnSequenceNotes(fn func()) {
	panic("postgres: OnSequenceNotes is not written yet")
}

func (s *Store) ApplySequenceNotes(now time.Time, limit int, timing herald.StepTiming) (int, error) {
	panic("postgres: ApplySequenceNotes is not written yet")
}

func (s *Store) PruneStepRuns(cutoff time.Time) (int, error) {
	panic("postgres: PruneStepRuns is not written yet")
}

// notesState is what the sequence notes keep in memory.
type notesState struct{}

// committed runs after each committed write transaction: it tells the
// sequence loop (OnSequenceNotes) when the transaction wrote notes.
func (s *Store) committed() {}
