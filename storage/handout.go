package storage

import (
	"cmp"
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
	st, m := openMoves(tx, timing)
	prefix := stepPrefix(id, step)
	var due []DuePerson
	c := st.due.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix) && len(due) < batch; k, _ = c.Next() {
		at := dueOf(k, prefix)
		if at.After(now) {
			break
		}
		due = append(due, DuePerson{Seq: binary.BigEndian.Uint32(k[len(k)-4:]), Due: at})
	}
	if len(due) == 0 {
		return "", 0, nil
	}
	// Records in Seq order: bbolt inserts at a node's end cheaply, but
	// each insert before the end moves the rest of a node that grows
	// for the whole transaction.
	slices.SortFunc(due, func(a, b DuePerson) int { return cmp.Compare(a.Seq, b.Seq) })
	run := &boltStepRun{s: s, tx: tx, q: &q, step: step, now: now}
	n, err := m.HandOut(&q, step, due, now, run)
	if err != nil {
		return "", 0, err
	}
	if run.rt != nil {
		if err := run.rt.save(); err != nil {
			return "", 0, err
		}
	}
	return q.Steps[step].BroadcastID, n, putJSON(tx.Bucket(bucketSequences), []byte(id), &q)
}

// boltStepRun is the StepRunner of a hand-out: the step's run, made by
// the first person handed the step.
type boltStepRun struct {
	s    *Store
	tx   *bolt.Tx
	q    *herald.Sequence
	step int
	now  time.Time
	rt   *runTx
}

func (r *boltStepRun) Start() (int, error) {
	rt, err := r.s.newStepRun(r.tx, r.q, r.step, r.now)
	if err != nil {
		return 0, err
	}
	r.rt = rt
	return rt.run.N, nil
}

func (r *boltStepRun) Add(d *herald.Delivery) error { return r.rt.add(d) }

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
		st, m := openMoves(tx, timing)
		st.deferDues()
		var d herald.Delivery
		c := rt.all.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			seq := binary.BigEndian.Uint32(k)
			if err := decodeDelivery(seq, v, &d); err != nil {
				return err
			}
			if err := m.Advance(&q, sr.Step, rt.run.N, &d, rt.run.FinishedAt); err != nil {
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
