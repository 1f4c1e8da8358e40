package storage

import (
	"encoding/json"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Sequence buckets (migration 4). A sequence's people are keyed so that the
// hand-out finds who is due with one cursor seek per step, never a scan:
//
//	sequences      ID → JSON
//	enrollments    ID 0x00 Seq(4) → step(2) run(4) due(8): one per person in it
//	sequence_due   ID 0x00 step(2) due(8) Seq(4) → nothing: those waiting, by time
//	sequence_runs  run ID → JSON {Sequence, Step}: step runs whose people have not moved on
//	api_events     event ID → time: POST /events already taken
var (
	bucketSequences   = []byte("sequences")
	bucketEnrollments = []byte("enrollments")
	bucketSeqDue      = []byte("sequence_due")
	bucketSeqRuns     = []byte("sequence_runs")
	bucketAPIEvents   = []byte("api_events")
)

func sequenceBuckets() [][]byte {
	return [][]byte{bucketSequences, bucketEnrollments, bucketSeqDue, bucketSeqRuns, bucketAPIEvents}
}

func createSequenceBuckets(tx *bolt.Tx) error {
	for _, name := range sequenceBuckets() {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// CreateSequence stores a new sequence (its ID drawn when empty) and a
// hidden step broadcast for each of its steps, in one transaction.
func (s *Store) CreateSequence(q *herald.Sequence) error {
	nq := CloneSequence(q)
	err := s.update("create sequence", func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketSequences)
		if nq.ID == "" {
			for nq.ID == "" || bk.Get([]byte(nq.ID)) != nil {
				nq.ID = herald.NewSequenceID()
			}
		} else if bk.Get([]byte(nq.ID)) != nil {
			return fmt.Errorf("sequence %s exists: %w", nq.ID, herald.ErrConflict)
		}
		now := s.now().UTC()
		nq.CreatedAt, nq.UpdatedAt = now, now
		if err := s.syncSteps(tx, &nq, 0); err != nil {
			return err
		}
		return putJSON(bk, []byte(nq.ID), &nq)
	})
	if err == nil {
		*q = nq
	}
	return err
}

// Sequence returns one sequence or herald.ErrNotFound.
func (s *Store) Sequence(id string) (herald.Sequence, error) {
	var q herald.Sequence
	err := s.view("read sequence "+id, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketSequences), []byte(id), &q)
	})
	return q, err
}

// Sequences lists every sequence, oldest first (they are few).
func (s *Store) Sequences() ([]herald.Sequence, error) {
	var out []herald.Sequence
	err := s.view("list sequences", func(tx *bolt.Tx) error {
		var err error
		out, err = allSequences(tx)
		return err
	})
	return out, err
}

func allSequences(tx *bolt.Tx) ([]herald.Sequence, error) {
	var out []herald.Sequence
	err := tx.Bucket(bucketSequences).ForEach(func(k, v []byte) error {
		var q herald.Sequence
		if err := json.Unmarshal(v, &q); err != nil {
			return fmt.Errorf("sequence %s: %w", k, err)
		}
		out = append(out, q)
		return nil
	})
	SortSequences(out)
	return out, err
}

// UpdateSequence changes a sequence with fn in one transaction: step
// broadcasts follow its steps (new ones made, content copied, removed
// ones deleted unless sending), and the people waiting for a step that no
// longer exists have finished. fn's error aborts.
func (s *Store) UpdateSequence(id string, fn func(q *herald.Sequence) error) (herald.Sequence, error) {
	var q herald.Sequence
	err := s.update("update sequence "+id, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketSequences)
		if err := getJSON(bk, []byte(id), &q); err != nil {
			return err
		}
		old := CloneSequence(&q)
		if err := fn(&q); err != nil {
			return err
		}
		KeepSequenceFields(&old, &q, s.now().UTC())
		for i := len(q.Steps); i < len(old.Steps); i++ {
			if err := finishStep(tx, &q, i); err != nil {
				return err
			}
			if err := dropStepBroadcast(tx, old.Steps[i].BroadcastID); err != nil {
				return err
			}
		}
		if err := s.syncSteps(tx, &q, len(old.Steps)); err != nil {
			return err
		}
		return putJSON(bk, []byte(id), &q)
	})
	return q, err
}

// DeleteSequence removes a sequence, its people and its step broadcasts.
// A step still sending is herald.ErrInvalidTransition: pause the sequence
// and try again once the step's run is done.
func (s *Store) DeleteSequence(id string) (herald.Sequence, error) {
	var q herald.Sequence
	err := s.update("delete sequence "+id, func(tx *bolt.Tx) error {
		if err := getJSON(tx.Bucket(bucketSequences), []byte(id), &q); err != nil {
			return err
		}
		bk := tx.Bucket(bucketBroadcasts)
		for _, st := range q.Steps {
			var b herald.Broadcast
			if getJSON(bk, []byte(st.BroadcastID), &b) == nil {
				if err := StepNotSending(id, &b); err != nil {
					return err
				}
			}
		}
		for _, st := range q.Steps {
			if err := dropStepBroadcast(tx, st.BroadcastID); err != nil {
				return err
			}
		}
		prefix := []byte(id + "\x00")
		for _, name := range [][]byte{bucketEnrollments, bucketSeqDue} {
			if err := deletePrefix(tx.Bucket(name), prefix); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketSequences).Delete([]byte(id))
	})
	return q, err
}

// syncSteps makes the step broadcasts of q's steps from index from on and
// copies every step's content into its broadcast.
func (s *Store) syncSteps(tx *bolt.Tx, q *herald.Sequence, from int) error {
	bk := tx.Bucket(bucketBroadcasts)
	FitWaiting(q)
	now := s.now().UTC()
	for i := range q.Steps {
		st := &q.Steps[i]
		if st.BroadcastID == "" || i >= from {
			if st.BroadcastID == "" {
				st.BroadcastID = freeBroadcastID(bk)
			}
			b := StepBroadcast(q, i, now)
			if err := putJSON(bk, []byte(st.BroadcastID), &b); err != nil {
				return err
			}
			continue
		}
		if _, err := s.updateBroadcastTx(tx, st.BroadcastID, func(b *herald.Broadcast) error {
			SyncStepBroadcast(q, i, b)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// dropStepBroadcast deletes a step broadcast unless it is sending (its run
// then ends on its own and the broadcast stays, unlisted).
func dropStepBroadcast(tx *bolt.Tx, id string) error {
	var b herald.Broadcast
	if err := getJSON(tx.Bucket(bucketBroadcasts), []byte(id), &b); err != nil || b.Status == herald.StatusSending {
		return nil
	}
	return deleteBroadcastTx(tx, id, &b)
}
