package storage

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Sequence notes (migration 5) are what happened to a person that may
// start or end sequences — a new follower, a tap, a tag added, an
// unsubscribe — written in the same transaction as the change itself, so
// no burst drops one and no crash between the webhook's answer and the
// enrollment loses one. The sequence loop applies them in order
// (ApplySequenceNotes), each in the transaction that deletes it.
//
//	sequence_notes  n(8) → Seq(4) kind(1) detail
var bucketSeqNotes = []byte("sequence_notes")

// noteKinds are the note kinds as bbolt keeps them, one byte each.
var noteKinds = map[herald.TriggerKind]byte{
	herald.TriggerFollow: 'f', herald.TriggerTag: 't', herald.TriggerTap: 'p', NoteLeave: 'l',
}

func createSeqNotesBucket(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketSeqNotes)
	return err
}

// notesTx writes the notes of one write transaction; it writes nothing
// while no sequence exists, so a bot without sequences pays nothing.
type notesTx struct {
	b       *bolt.Bucket // nil: no sequences
	written *atomic.Bool
}

func openNotes(tx *bolt.Tx, written *atomic.Bool) notesTx {
	if k, _ := tx.Bucket(bucketSequences).Cursor().First(); k == nil {
		return notesTx{}
	}
	return notesTx{b: tx.Bucket(bucketSeqNotes), written: written}
}

func (n notesTx) put(note SequenceNote) error {
	if n.b == nil {
		return nil
	}
	id, err := n.b.NextSequence()
	if err != nil {
		return err
	}
	v := append(binary.BigEndian.AppendUint32(nil, note.Seq), noteKinds[note.Kind])
	n.written.Store(true)
	return n.b.Put(u64(id), append(v, note.Detail...))
}

func (n notesTx) putAll(notes []SequenceNote) error {
	for _, note := range notes {
		if err := n.put(note); err != nil {
			return err
		}
	}
	return nil
}

// changed notes what a saved change of a subscriber means for sequences
// (see ChangedNotes).
func (n notesTx) changed(old, sub *herald.Subscriber) error {
	if n.b == nil {
		return nil
	}
	return n.putAll(ChangedNotes(old, sub))
}

// noteInbound notes what a batch of end users' events starts (see
// InboundNotes).
func noteInbound(tx *bolt.Tx, written *atomic.Bool, changes []change, taps []herald.Tap) error {
	n := openNotes(tx, written)
	if n.b == nil {
		return nil
	}
	olds, news := make([]*herald.Subscriber, len(changes)), make([]*herald.Subscriber, len(changes))
	for i, c := range changes {
		olds[i], news[i] = c.old, c.new
	}
	return n.putAll(InboundNotes(olds, news, taps))
}

// OnSequenceNotes sets fn to be called after a commit that wrote sequence
// notes: the sequence loop's Kick.
func (s *Store) OnSequenceNotes(fn func()) { s.notesHook.Store(&fn) }

// tellNotes calls the hook if notes were written since the last call.
func (s *Store) tellNotes() {
	if s.notesWritten.Swap(false) {
		if fn := s.notesHook.Load(); fn != nil {
			(*fn)()
		}
	}
}

// ApplySequenceNotes applies up to limit notes, oldest first, in one
// transaction that also deletes them: a follow, tap or tag enrolls the
// person in every active sequence it triggers (and a tag takes them out
// of those it is an exit tag of); a leave takes them out of all. It
// returns how many notes it applied (limit: there may be more).
func (s *Store) ApplySequenceNotes(now time.Time, limit int, timing herald.StepTiming) (int, error) {
	n := 0
	err := s.update("apply sequence notes", func(tx *bolt.Tx) error {
		notes := tx.Bucket(bucketSeqNotes)
		c := notes.Cursor()
		k, v := c.First()
		if k == nil {
			return nil
		}
		all, err := allSequences(tx)
		if err != nil {
			return err
		}
		_, m := openMoves(tx, timing)
		dirty := make([]bool, len(all))
		for ; k != nil && n < limit; k, v = c.First() {
			if note, ok := decodeNote(v); ok {
				if err := m.ApplyNote(all, dirty, note, now); err != nil {
					return err
				}
			}
			if err := c.Delete(); err != nil {
				return err
			}
			n++
		}
		return putDirty(tx, all, dirty)
	})
	if err != nil {
		return 0, fmt.Errorf("storage: %w", err)
	}
	return n, nil
}

// decodeNote reads a note as put wrote it (false: damaged, or a kind
// this version does not know; it is dropped).
func decodeNote(v []byte) (SequenceNote, bool) {
	if len(v) < 5 {
		return SequenceNote{}, false
	}
	for kind, b := range noteKinds {
		if b == v[4] {
			return SequenceNote{Seq: binary.BigEndian.Uint32(v), Kind: kind, Detail: string(v[5:])}, true
		}
	}
	return SequenceNote{}, false
}
