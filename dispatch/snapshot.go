package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// snapshot writes the run's recipients as pending records, in batches, as
// the audience streams by: nothing holds the whole audience in memory. A
// snapshot cut short by a crash resumes after the last Seq it wrote
// (recipients stream in Seq order and each batch is one transaction).
//
// When it wrote every record (not a resumed snapshot), it returns when the
// pending recipients may be sent, as progress counts them (see setDue), so
// the run need not read them all again to tell.
func (r *runner) snapshot(ctx context.Context, run *herald.Run) (map[int64]int, error) {
	st := r.e.store
	last, err := r.lastSeq()
	if err != nil {
		return nil, err
	}
	due := map[int64]int{}
	size := r.e.opts.SnapshotBatch
	batch := make([]herald.Delivery, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := st.AddDeliveries(r.runID, batch); err != nil {
			return fmt.Errorf("dispatch: snapshot %s: %w", r.runID, err)
		}
		batch = batch[:0]
		return ctx.Err()
	}
	add := func(d herald.Delivery) error {
		if d.Seq <= last {
			return nil
		}
		if !d.NotBefore.IsZero() {
			due[dueMinute(d.NotBefore)]++
		}
		batch = append(batch, d)
		if len(batch) == size {
			return flush()
		}
		return nil
	}
	if run.RetryOf != "" {
		err = r.eachFailed(run.RetryOf, func(failed herald.Delivery) error {
			// A retry goes out now, with the parts the recipient lacks.
			return add(herald.Delivery{Seq: failed.Seq, Recipient: failed.Recipient, Outcome: herald.Pending, PartsDone: failed.PartsDone})
		})
	} else {
		now := r.e.opts.Now()
		err = st.EachRecipient(&r.b.Audience, now, func(sub *herald.Subscriber) error {
			var at time.Time
			if r.e.opts.DeliverAt != nil {
				at = r.e.opts.DeliverAt(&r.b, sub, now)
			}
			return add(herald.Delivery{Seq: sub.Seq, Recipient: sub.Key(), Outcome: herald.Pending, NotBefore: at})
		})
	}
	if err == nil {
		err = flush()
	}
	if err == nil && run.RetryOf == "" {
		err = r.countControl()
	}
	if err != nil {
		return nil, fmt.Errorf("dispatch: snapshot %s: %w", r.runID, err)
	}
	if last > 0 {
		return nil, nil // the records written before the crash were not counted
	}
	return due, nil
}

// countControl records on the run how many people of the audience a
// holdout kept out (none without one): the report says so beside who got it.
func (r *runner) countControl() error {
	ctl := r.b.Audience.Sample.Control()
	if ctl == nil {
		return nil
	}
	a := r.b.Audience
	a.Sample = ctl
	n := 0
	err := r.e.store.EachRecipient(&a, r.e.opts.Now(), func(*herald.Subscriber) error {
		n++
		return nil
	})
	if err != nil {
		return err
	}
	_, err = r.e.store.UpdateRun(r.runID, func(run *herald.Run) error {
		run.Control = n
		return nil
	})
	return err
}

// lastSeq is the highest Seq already in the run (0 for none).
func (r *runner) lastSeq() (uint32, error) {
	var last uint32
	const page = 10000
	for {
		ds, err := r.e.store.Deliveries(r.runID, "", last, page)
		if err != nil {
			return 0, fmt.Errorf("dispatch: snapshot %s: %w", r.runID, err)
		}
		if len(ds) > 0 {
			last = ds[len(ds)-1].Seq
		}
		if len(ds) < page {
			return last, nil
		}
	}
}

// eachFailed streams the failed recipients of another run, leaving out
// those who blocked the bot: retrying them cannot succeed.
func (r *runner) eachFailed(runID string, fn func(herald.Delivery) error) error {
	var after uint32
	for {
		ds, err := r.e.store.Deliveries(runID, herald.Failed, after, r.e.opts.PageSize)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Reason == herald.ReasonBlocked {
				continue
			}
			if err := fn(d); err != nil {
				return err
			}
		}
		if len(ds) < r.e.opts.PageSize {
			return nil
		}
		after = ds[len(ds)-1].Seq
	}
}
