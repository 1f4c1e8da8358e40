package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

func enrollKey(seqID string, sub uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(seqID+"\x00"), sub)
}

func encodeEnrollment(e Enrollment) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(e.Step))
	b = binary.BigEndian.AppendUint32(b, uint32(e.Run))
	return binary.BigEndian.AppendUint64(b, uint64(e.Due.UnixNano()))
}

func decodeEnrollment(b []byte) (Enrollment, bool) {
	if len(b) != 14 {
		return Enrollment{}, false
	}
	return Enrollment{
		Step: int(binary.BigEndian.Uint16(b)),
		Run:  int(binary.BigEndian.Uint32(b[2:])),
		Due:  time.Unix(0, int64(binary.BigEndian.Uint64(b[6:]))).UTC(),
	}, true
}

// stepPrefix is where step's waiting people start in sequence_due.
func stepPrefix(seqID string, step int) []byte {
	return binary.BigEndian.AppendUint16([]byte(seqID+"\x00"), uint16(step))
}

func dueKey(seqID string, step int, due time.Time, sub uint32) []byte {
	k := binary.BigEndian.AppendUint64(stepPrefix(seqID, step), uint64(due.UnixNano()))
	return binary.BigEndian.AppendUint32(k, sub)
}

// dueOf reads the time of a sequence_due key under prefix.
func dueOf(k, prefix []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[len(prefix):]))).UTC()
}

// seqTx is the sequence buckets inside one write transaction: the bbolt
// SequenceEngine.
type seqTx struct {
	tx     *bolt.Tx
	enroll *bolt.Bucket
	due    *bolt.Bucket
	subs   *bolt.Bucket
	sub    herald.Subscriber // reused per person
	dues   [][]byte          // see deferDues
}

func openSeqTx(tx *bolt.Tx) *seqTx {
	return &seqTx{tx: tx, enroll: tx.Bucket(bucketEnrollments), due: tx.Bucket(bucketSeqDue),
		subs: tx.Bucket(bucketSubscribers)}
}

// openMoves is the sequence rules over tx.
func openMoves(tx *bolt.Tx, timing herald.StepTiming) (*seqTx, *SequenceMoves) {
	st := openSeqTx(tx)
	return st, NewSequenceMoves(st, timing)
}

func (st *seqTx) Subscriber(seq uint32) (*herald.Subscriber, bool, error) {
	v := st.subs.Get(u32(seq))
	if v == nil {
		return nil, false, nil
	}
	return &st.sub, true, DecodeSubscriber(seq, v, &st.sub)
}

func (st *seqTx) Enrollment(id string, sub uint32) (Enrollment, bool, error) {
	e, ok := decodeEnrollment(st.enroll.Get(enrollKey(id, sub)))
	return e, ok, nil
}

func (st *seqTx) PutEnrollment(id string, sub uint32, old *Enrollment, e Enrollment) error {
	if old != nil && old.Waiting() {
		if err := st.due.Delete(dueKey(id, old.Step, old.Due, sub)); err != nil {
			return err
		}
	}
	if err := st.enroll.Put(enrollKey(id, sub), encodeEnrollment(e)); err != nil {
		return err
	}
	if !e.Waiting() {
		return nil
	}
	k := dueKey(id, e.Step, e.Due, sub)
	if st.dues != nil {
		st.dues = append(st.dues, k)
		return nil
	}
	return st.due.Put(k, nil)
}

func (st *seqTx) DeleteEnrollment(id string, sub uint32, old Enrollment) error {
	if old.Waiting() {
		if err := st.due.Delete(dueKey(id, old.Step, old.Due, sub)); err != nil {
			return err
		}
	}
	return st.enroll.Delete(enrollKey(id, sub))
}

func (st *seqTx) ABFamily(id string) ([]string, error) { return readABFamily(st.tx, id) }

// deferDues gathers the due keys PutEnrollment writes until putDues: a
// batch of people moved on at once gets due times in no order, and bbolt
// takes a transaction's inserts into one node cheaply only in key order.
func (st *seqTx) deferDues() { st.dues = [][]byte{} }

func (st *seqTx) putDues() error {
	slices.SortFunc(st.dues, bytes.Compare)
	for _, k := range st.dues {
		if err := st.due.Put(k, nil); err != nil {
			return err
		}
	}
	st.dues = nil
	return nil
}

// EnrollMatching enrolls, at now, the person with Seq sub in every active
// sequence whose trigger matches (kind and detail, see herald.Trigger.Matches) and
// who is not in it already, in one transaction. Someone who finished or
// left may enter again. It returns the sequences they entered.
func (s *Store) EnrollMatching(kind herald.TriggerKind, detail string, sub uint32, now time.Time, timing herald.StepTiming) ([]string, error) {
	var entered []string
	err := s.update("enroll in sequences", func(tx *bolt.Tx) error {
		all, err := allSequences(tx)
		if err != nil {
			return err
		}
		dirty := make([]bool, len(all))
		_, m := openMoves(tx, timing)
		if entered, err = m.EnrollAll(all, dirty, kind, detail, sub, now); err != nil {
			return err
		}
		return putDirty(tx, all, dirty)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return entered, nil
}

// putDirty writes back the sequences of all marked in dirty.
func putDirty(tx *bolt.Tx, all []herald.Sequence, dirty []bool) error {
	for i := range all {
		if dirty[i] {
			if err := putJSON(tx.Bucket(bucketSequences), []byte(all[i].ID), &all[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// finishStep ends q for everyone waiting for step (the step was removed):
// they have finished.
func finishStep(tx *bolt.Tx, q *herald.Sequence, step int) error {
	st, m := openMoves(tx, nil)
	prefix := stepPrefix(q.ID, step)
	var waiting []DuePerson
	c := st.due.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		waiting = append(waiting, DuePerson{Seq: binary.BigEndian.Uint32(k[len(k)-4:]), Due: dueOf(k, prefix)})
	}
	return m.FinishStep(q, step, waiting)
}

// NextSequenceDue is the earliest time anyone waits for in an active
// sequence whose step is not sending already: one seek per step.
func (s *Store) NextSequenceDue() (time.Time, bool, error) {
	var next time.Time
	err := s.view("next sequence step", func(tx *bolt.Tx) error {
		all, err := allSequences(tx)
		if err != nil {
			return err
		}
		c := tx.Bucket(bucketSeqDue).Cursor()
		for _, q := range all {
			if q.Paused {
				continue
			}
			for i := range q.Steps {
				if busy, err := stepBusy(tx, &q, i); err != nil || busy {
					if err != nil {
						return err
					}
					continue
				}
				prefix := stepPrefix(q.ID, i)
				if k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix) {
					if at := dueOf(k, prefix); next.IsZero() || at.Before(next) {
						next = at
					}
				}
			}
		}
		return nil
	})
	return next, !next.IsZero(), err
}

// stepBusy reports whether step i of q is busy (see StepBusy).
func stepBusy(tx *bolt.Tx, q *herald.Sequence, i int) (bool, error) {
	var b herald.Broadcast
	err := getJSON(tx.Bucket(bucketBroadcasts), []byte(q.Steps[i].BroadcastID), &b)
	if errors.Is(err, herald.ErrNotFound) {
		return StepBusy(nil), nil
	}
	if err != nil {
		return false, err
	}
	return StepBusy(&b), nil
}

// seqRun is a step run whose people have not moved on yet.
type seqRun struct {
	Sequence string
	Step     int
}

// TakeEvent records an API event's ID; false when it was taken before (a
// client's retry), so the event triggers once.
func (s *Store) TakeEvent(id string, at time.Time) (bool, error) {
	first := false
	err := s.update("take event", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAPIEvents)
		if b.Get([]byte(id)) != nil {
			return nil
		}
		first = true
		return b.Put([]byte(id), u64(uint64(at.Unix())))
	})
	return first, err
}

// SequenceRuns lists the step runs whose people have not moved on: after
// a restart, those that finished meanwhile are advanced.
func (s *Store) SequenceRuns() ([]string, error) {
	var ids []string
	err := s.view("list sequence runs", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeqRuns).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	return ids, err
}

func putSeqRun(tx *bolt.Tx, runID string, r seqRun) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketSeqRuns).Put([]byte(runID), v)
}

// LeaveSequences takes the person with Seq sub out of every sequence in
// which they wait for a step and leaves reports true for (nil: all): they
// unsubscribed or blocked the bot, or got an exit tag. Someone whose step
// is being sent is skipped by its run (the dispatcher reads them as they
// are at the send) and leaves when it ends. It returns the sequences left.
func (s *Store) LeaveSequences(sub uint32, leaves func(q *herald.Sequence) bool) ([]string, error) {
	var left []string
	err := s.update("leave sequences", func(tx *bolt.Tx) error {
		all, err := allSequences(tx)
		if err != nil {
			return err
		}
		dirty := make([]bool, len(all))
		_, m := openMoves(tx, nil)
		if err := m.LeaveAll(all, dirty, sub, leaves); err != nil {
			return err
		}
		for i := range all {
			if dirty[i] {
				left = append(left, all[i].ID)
			}
		}
		return putDirty(tx, all, dirty)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return left, nil
}
