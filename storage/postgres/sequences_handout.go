package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// HandOutSteps gives the people due by now their next step: for each step
// of each active sequence that is not sending already, one transaction
// takes up to batch of its due people (one seek of the due index),
// creates a run of the step's broadcast with exactly them as pending
// recipients and marks each "in run R". People who unsubscribed, were
// blocked or carry an exit tag leave instead. It returns the step
// broadcasts with a new run, for the dispatcher to start.
func (s *Store) HandOutSteps(now time.Time, batch int, timing herald.StepTiming) ([]string, int, error) {
	var steps []stepDue
	err := s.read("list sequences", func(ctx context.Context, tx pgx.Tx) error {
		var err error
		steps, err = s.activeSteps(ctx, tx)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	var out []string
	handed := 0
	for _, sd := range steps {
		if sd.due.After(now) {
			continue
		}
		var bid string
		n := 0
		err := s.write(fmt.Sprintf("hand out %s step %d", sd.id, sd.step+1), func(ctx context.Context, tx pgx.Tx) error {
			var err error
			bid, n, err = s.handOutTx(ctx, tx, sd.id, sd.step, now, batch, timing)
			return err
		})
		if err != nil {
			return out, handed, err
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
func (s *Store) handOutTx(ctx context.Context, tx pgx.Tx, id string, step int, now time.Time, batch int, timing herald.StepTiming) (string, int, error) {
	q, err := sequenceTx(ctx, tx, id, true)
	if errors.Is(err, herald.ErrNotFound) || err == nil && (q.Paused || step >= len(q.Steps)) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, err
	}
	bid := q.Steps[step].BroadcastID
	if busy, err := s.stepBusy(ctx, tx, bid); err != nil || busy {
		return "", 0, err
	}
	st, m := s.openMoves(ctx, tx, timing)
	due, err := st.due(id, step, &now, batch)
	if err != nil || len(due) == 0 {
		return "", 0, err
	}
	// The run's records in Seq order, as bbolt adds them.
	slices.SortFunc(due, func(a, b storage.DuePerson) int { return cmp.Compare(a.Seq, b.Seq) })
	seqs := make([]uint32, len(due))
	for i := range due {
		seqs[i] = due[i].Seq
	}
	st.expect(seqs)
	run := &pgStepRun{s: s, ctx: ctx, tx: tx, q: &q, step: step, now: now}
	n, err := m.HandOut(&q, step, due, now, run)
	if err != nil {
		return "", 0, err
	}
	if run.id != "" {
		if err := s.addDeliveriesTx(ctx, tx, run.id, run.ds); err != nil {
			return "", 0, err
		}
	}
	if err := st.flush(); err != nil {
		return "", 0, err
	}
	return bid, n, putSequenceTx(ctx, tx, &q)
}

// pgStepRun is the storage.StepRunner of a hand-out: a sending run of the
// step's broadcast (which becomes sending with it), made by the first
// person handed the step and noted among the runs whose people move on
// when it ends; its records are added at once at the end.
type pgStepRun struct {
	s    *Store
	ctx  context.Context
	tx   pgx.Tx
	q    *herald.Sequence
	step int
	now  time.Time
	id   string
	ds   []herald.Delivery
}

func (r *pgStepRun) Start() (int, error) {
	run := herald.Run{BroadcastID: r.q.Steps[r.step].BroadcastID, Status: herald.RunSending, StartedAt: r.now}
	err := r.s.startRunTx(r.ctx, r.tx, &run, func(b *herald.Broadcast) error {
		b.Status = herald.StatusSending
		return nil
	})
	if err != nil {
		return 0, err
	}
	_, err = r.tx.Exec(r.ctx, `INSERT INTO sequence_runs (run_id, sequence, step) VALUES ($1, $2, $3)`, run.ID, r.q.ID, r.step)
	r.id = run.ID
	return run.N, err
}

func (r *pgStepRun) Add(d *herald.Delivery) error {
	r.ds = append(r.ds, *d)
	return nil
}

// AdvanceStepRun moves the people of a finished step run on, in one
// transaction (see storage.SequenceMoves.Advance). A run not (or no
// longer) among the sequence runs is left alone, so advancing twice moves
// nobody twice. An unfinished run is herald.ErrInvalidTransition.
func (s *Store) AdvanceStepRun(runID string, timing herald.StepTiming) error {
	return s.write("advance step run "+runID, func(ctx context.Context, tx pgx.Tx) error {
		var id string
		var step int
		err := tx.QueryRow(ctx, `DELETE FROM sequence_runs WHERE run_id = $1 RETURNING sequence, step`, runID).Scan(&id, &step)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		q, err := sequenceTx(ctx, tx, id, true)
		if errors.Is(err, herald.ErrNotFound) {
			return nil // the sequence was deleted
		} else if err != nil {
			return err
		}
		run, err := s.runTx(ctx, tx, runID, false)
		if err != nil {
			return err
		}
		if run.Status.Unfinished() {
			return fmt.Errorf("run %s is %s: %w", runID, run.Status, herald.ErrInvalidTransition)
		}
		st, m := s.openMoves(ctx, tx, timing)
		if err := st.inRun(id, run.N); err != nil {
			return err
		}
		const page = 10_000
		for after := uint32(0); ; {
			ds, err := s.deliveriesTx(ctx, tx, runID, "", after, page)
			if err != nil {
				return err
			}
			seqs := make([]uint32, len(ds))
			for i := range ds {
				seqs[i] = ds[i].Seq
			}
			st.expect(seqs)
			for i := range ds {
				if err := m.Advance(&q, step, run.N, &ds[i], run.FinishedAt); err != nil {
					return err
				}
			}
			if len(ds) < page {
				break
			}
			after = ds[len(ds)-1].Seq
		}
		if err := st.flush(); err != nil {
			return err
		}
		return putSequenceTx(ctx, tx, &q)
	})
}

// PruneStepRuns is retention for sequences: it deletes the step runs that
// finished before cutoff and whose people have moved on, with their
// per-recipient records, one transaction per step. Their sent and failed
// counts are kept on the step broadcast (StepOf.Pruned). It returns how
// many runs it deleted.
func (s *Store) PruneStepRuns(cutoff time.Time) (int, error) {
	all, err := s.Sequences()
	if err != nil {
		return 0, err
	}
	pruned := 0
	for _, q := range all {
		for _, st := range q.Steps {
			// The runs are listed first (there is no runs-of meeting point)
			// and each is read again, locked, in the transaction.
			runs, err := s.RunsOf(st.BroadcastID)
			if err != nil {
				return pruned, err
			}
			if len(runs) == 0 {
				continue
			}
			err = s.write("prune step runs of "+st.BroadcastID, func(ctx context.Context, tx pgx.Tx) error {
				n, err := s.pruneStepRunsTx(ctx, tx, st.BroadcastID, runs, cutoff)
				pruned += n
				return err
			})
			if err != nil {
				return pruned, err
			}
		}
	}
	return pruned, nil
}

// pruneStepRunsTx prunes the runs of step broadcast bid among runs (read
// before tx; each is read again, locked, in it).
func (s *Store) pruneStepRunsTx(ctx context.Context, tx pgx.Tx, bid string, runs []herald.Run, cutoff time.Time) (int, error) {
	old, err := s.broadcastTx(ctx, tx, bid, true)
	if errors.Is(err, herald.ErrNotFound) || err == nil && old.Step == nil {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	ids := make([]string, len(runs))
	for i := range runs {
		ids[i] = runs[i].ID
	}
	rows, err := tx.Query(ctx, `SELECT run_id FROM sequence_runs WHERE run_id = ANY($1)`, ids)
	if err != nil {
		return 0, err
	}
	moving := map[string]bool{}
	var id string
	if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { moving[id] = true; return nil }); err != nil {
		return 0, err
	}
	b := old
	step := *old.Step
	b.Step = &step
	n := 0
	for _, r := range runs {
		r, err := s.runTx(ctx, tx, r.ID, true)
		if errors.Is(err, herald.ErrNotFound) {
			continue
		} else if err != nil {
			return 0, err
		}
		if !storage.PruneStepRun(&b, &r, cutoff, moving[r.ID]) {
			continue
		}
		if err := s.deleteRunTx(ctx, tx, r.ID); err != nil {
			return 0, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	return n, s.putBroadcastTx(ctx, tx, &old, &b)
}
