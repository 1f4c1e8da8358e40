package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// HandOutSteps gives the people due by now their next step: for each step
// of each active sequence that is not sending already, one transaction
// takes up to batch of its due people (one cursor seek), creates a run of
// the step's broadcast with exactly them as pending recipients and marks
// each "in run R". People who unsubscribed, were blocked or carry an exit
// tag leave instead. It returns the step broadcasts with a new run, for
// the dispatcher to start; the run's records make a restart resume it,
// so nobody is skipped or sent twice.
func (s *Store) HandOutSteps(now time.Time, batch int, timing herald.StepTiming) ([]string, int, error) {
	type stepRef struct {
		id   string
		step int
	}
	var steps []stepRef
	handed := 0
	err := s.view("list sequences", func(tx *bolt.Tx) error {
		all, err := allSequences(tx)
		c := tx.Bucket(bucketSeqDue).Cursor()
		for _, q := range all {
			for i := range q.Steps {
				if q.Paused || err != nil {
					continue
				}
				prefix := stepPrefix(q.ID, i)
				k, _ := c.Seek(prefix)
				if k == nil || !hasPrefix(k, prefix) || dueOf(k, prefix).After(now) {
					continue
				}
				var busy bool
				if busy, err = stepBusy(tx, &q, i); !busy {
					steps = append(steps, stepRef{q.ID, i})
				}
			}
		}
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("storage: %w", err)
	}
	var out []string
	for _, sr := range steps {
		id, step := sr.id, sr.step
		var bid string
		n := 0
		err := s.update("hand out step of "+id, func(tx *bolt.Tx) error {
			var err error
			bid, n, err = s.handOutTx(tx, id, step, now, batch, timing)
			return err
		})
		if err != nil {
			return out, handed, fmt.Errorf("storage: hand out %s step %d: %w", id, step+1, err)
		}
		if n > 0 {
			out = append(out, bid)
			handed += n
		}
	}
	return out, handed, nil
}

// handOutTx is one step's hand-out (see HandOutSteps); it returns the step
// broadcast and how many people its new run has (0: no run made).
func (s *Store) handOutTx(tx *bolt.Tx, id string, step int, now time.Time, batch int, timing herald.StepTiming) (string, int, error) {
	var q herald.Sequence
	if err := getJSON(tx.Bucket(bucketSequences), []byte(id), &q); err != nil || q.Paused || step >= len(q.Steps) {
		return "", 0, err
	}
	if busy, err := stepBusy(tx, &q, step); err != nil || busy {
		return "", 0, err
	}
	st := openSeqTx(tx, timing)
	prefix := stepPrefix(id, step)
	var keys [][]byte
	c := st.due.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix) && len(keys) < batch; k, _ = c.Next() {
		if dueOf(k, prefix).After(now) {
			break
		}
		keys = append(keys, slices.Clone(k))
	}
	if len(keys) == 0 {
		return "", 0, nil
	}
	// Records in Seq order: bbolt inserts at a node's end cheaply, but
	// each insert before the end moves the rest of a node that grows
	// for the whole transaction.
	slices.SortFunc(keys, func(a, b []byte) int {
		return bytes.Compare(a[len(a)-4:], b[len(b)-4:])
	})
	var rt *runTx
	bid := q.Steps[step].BroadcastID
	n := 0
	for _, k := range keys {
		seq := binary.BigEndian.Uint32(k[len(k)-4:])
		if err := st.due.Delete(k); err != nil {
			return "", 0, err
		}
		ok, err := st.subscriber(seq)
		if err != nil {
			return "", 0, err
		}
		if !ok || !st.mayStay(&q) {
			if err := st.leave(&q, seq, step, false); err != nil {
				return "", 0, err
			}
			continue
		}
		if rt == nil {
			if rt, err = s.newStepRun(tx, &q, step, now); err != nil {
				return "", 0, err
			}
		}
		d := herald.Delivery{Seq: seq, Recipient: st.sub.Key(), Outcome: herald.Pending, NotBefore: timing.NotBefore(&st.sub, now)}
		if err := rt.add(&d); err != nil {
			return "", 0, err
		}
		if err := st.enroll.Put(enrollKey(id, seq), encodeEnrollment(enrollment{step: step, run: rt.run.N})); err != nil {
			return "", 0, err
		}
		n++
	}
	if rt != nil {
		if err := rt.save(); err != nil {
			return "", 0, err
		}
	}
	return bid, n, putJSON(tx.Bucket(bucketSequences), []byte(id), &q)
}

// newStepRun creates a sending run of step's broadcast (which becomes
// sending with it) and notes it among the runs whose people move on when
// it ends.
func (s *Store) newStepRun(tx *bolt.Tx, q *herald.Sequence, step int, now time.Time) (*runTx, error) {
	run := herald.Run{BroadcastID: q.Steps[step].BroadcastID, Status: herald.RunSending, StartedAt: now}
	err := s.startRunTx(tx, &run, func(b *herald.Broadcast) error {
		b.Status = herald.StatusSending
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := putSeqRun(tx, run.ID, seqRun{Sequence: q.ID, Step: step}); err != nil {
		return nil, err
	}
	return openRunTx(tx, run.ID)
}

// AdvanceStepRun moves the people of a finished step run on, in one
// transaction: those sent (or failed for a passing reason) wait for the
// next step, due from when their message went; the last step's finish;
// those the run found blocked or unsubscribed leave. A run not (or no
// longer) among the sequence runs is left alone, so advancing twice moves
// nobody twice. An unfinished run is herald.ErrInvalidTransition.
func (s *Store) AdvanceStepRun(runID string, timing herald.StepTiming) error {
	err := s.update("advance step run "+runID, func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSeqRuns).Get([]byte(runID))
		if raw == nil {
			return nil
		}
		var sr seqRun
		if err := json.Unmarshal(raw, &sr); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSeqRuns).Delete([]byte(runID)); err != nil {
			return err
		}
		var q herald.Sequence
		if err := getJSON(tx.Bucket(bucketSequences), []byte(sr.Sequence), &q); err != nil {
			return nil // the sequence was deleted
		}
		rt, err := openRunTx(tx, runID)
		if err != nil {
			return err
		}
		if rt.run.Status.Unfinished() {
			return fmt.Errorf("run %s is %s: %w", runID, rt.run.Status, herald.ErrInvalidTransition)
		}
		st := openSeqTx(tx, timing)
		st.deferDues()
		var d herald.Delivery
		c := rt.all.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			seq := binary.BigEndian.Uint32(k)
			if err := decodeDelivery(seq, v, &d); err != nil {
				return err
			}
			if err := st.advance(&q, sr.Step, rt.run.N, &d, rt.run.FinishedAt); err != nil {
				return err
			}
		}
		if err := st.putDues(); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketSequences), []byte(q.ID), &q)
	})
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return nil
}

// advance moves one recipient of step's run n on (see AdvanceStepRun).
func (st *seqTx) advance(q *herald.Sequence, step, n int, d *herald.Delivery, finished time.Time) error {
	e, ok := decodeEnrollment(st.enroll.Get(enrollKey(q.ID, d.Seq)))
	if !ok || e.step != step || e.run != n {
		return nil // not this run's: moved on already, or a re-entry
	}
	switch d.Reason {
	case herald.ReasonBlocked, herald.ReasonUnsubscribed, herald.ReasonExitTag:
		return st.leave(q, d.Seq, step, false)
	}
	if d.Outcome == herald.Pending || d.Outcome == herald.Held { // the run failed before reaching them: the step again
		q.Counts.Waiting[step]--
		return st.wait(q, d.Seq, step, finished)
	}
	if step+1 >= len(q.Steps) {
		return st.leave(q, d.Seq, step, true)
	}
	found, err := st.subscriber(d.Seq)
	if err != nil || !found {
		if err == nil {
			err = st.leave(q, d.Seq, step, false)
		}
		return err
	}
	from := d.At
	if from.IsZero() {
		from = finished
	}
	q.Counts.Waiting[step]--
	return st.wait(q, d.Seq, step+1, st.timing.Due(q, step+1, &st.sub, from))
}
