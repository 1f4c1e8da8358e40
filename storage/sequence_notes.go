package storage

import (
	"encoding/binary"
	"fmt"
	"slices"
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

// noteLeave is the kind of a note that takes the person out of every
// sequence (they unsubscribed or blocked the bot).
const noteLeave = 'l'

var noteKinds = map[herald.TriggerKind]byte{
	herald.TriggerFollow: 'f', herald.TriggerTag: 't', herald.TriggerTap: 'p',
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

func (n notesTx) put(seq uint32, kind byte, detail string) error {
	if n.b == nil {
		return nil
	}
	id, err := n.b.NextSequence()
	if err != nil {
		return err
	}
	v := append(binary.BigEndian.AppendUint32(nil, seq), kind)
	n.written.Store(true)
	return n.b.Put(u64(id), append(v, detail...))
}

// trigger notes a trigger of kind (follow, tag, tap) for seq.
func (n notesTx) trigger(seq uint32, kind herald.TriggerKind, detail string) error {
	return n.put(seq, noteKinds[kind], detail)
}

// changed notes what a saved change of a subscriber means for sequences:
// each tag gained (it may start sequences and end others), and leaving
// them all when they stopped being reachable. Someone imported is not
// enrolled by the tags of their import (see README, "Sequences").
func (n notesTx) changed(old, sub *herald.Subscriber) error {
	if n.b == nil || (old == nil && sub.Imported) {
		return nil
	}
	if old != nil && old.Reachable() && !sub.Reachable() {
		return n.put(sub.Seq, noteLeave, "")
	}
	for _, t := range sub.Tags {
		if old == nil || !old.HasTag(t) {
			if err := n.trigger(sub.Seq, herald.TriggerTag, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// noteInbound notes what a batch of end users' events starts: a new
// person (created by the batch: they followed or wrote first) triggers
// the "new subscriber" sequences of their channel and account, a counted
// tap those of its button. Tags a button added were noted with the change.
func noteInbound(tx *bolt.Tx, written *atomic.Bool, changes []change, taps []herald.Tap) error {
	n := openNotes(tx, written)
	if n.b == nil {
		return nil
	}
	seqs := make(map[herald.SubscriberKey]uint32, len(changes))
	for _, c := range changes {
		seqs[c.new.Key()] = c.new.Seq
		if c.old == nil && c.new.Kind != herald.KindGroup && c.new.Reachable() {
			if err := n.trigger(c.new.Seq, herald.TriggerFollow, herald.FollowDetail(c.new.Key())); err != nil {
				return err
			}
		}
	}
	for _, t := range taps {
		if seq, ok := seqs[t.Subscriber]; ok {
			if err := n.trigger(seq, herald.TriggerTap, t.BroadcastID+"\x00"+t.ButtonID); err != nil {
				return err
			}
		}
	}
	return nil
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
		st := openSeqTx(tx, timing)
		dirty := make([]bool, len(all))
		for ; k != nil && n < limit; k, v = c.First() {
			if len(v) >= 5 {
				if err := st.applyNote(all, dirty, binary.BigEndian.Uint32(v), v[4], string(v[5:]), now); err != nil {
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

// applyNote applies one note to the sequences all (dirty: changed).
func (st *seqTx) applyNote(all []herald.Sequence, dirty []bool, seq uint32, kind byte, detail string, now time.Time) error {
	if kind == noteLeave {
		return st.leaveAll(all, dirty, seq, nil)
	}
	for tk, b := range noteKinds {
		if b != kind {
			continue
		}
		if tk == herald.TriggerTag {
			err := st.leaveAll(all, dirty, seq, func(q *herald.Sequence) bool { return slices.Contains(q.ExitTags, detail) })
			if err != nil {
				return err
			}
		}
		_, err := st.enrollAll(all, dirty, tk, detail, seq, now)
		return err
	}
	return nil // a kind this version does not know
}
