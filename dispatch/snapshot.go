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
// Reading the audience and writing the records overlap (batchWriter):
// nothing is sent before the snapshot ends, so its length is the wait
// before the first message.
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
	w := newBatchWriter(ctx, func(ds []herald.Delivery) error { return st.AddDeliveries(r.runID, ds) }, size)
	batch := w.buffer()
	add := func(d herald.Delivery) error {
		if d.Seq <= last {
			return nil
		}
		if !d.NotBefore.IsZero() {
			due[dueMinute(d.NotBefore)]++
		}
		batch = append(batch, d)
		if len(batch) < size {
			return nil
		}
		err := w.write(batch)
		batch = w.buffer()
		return err
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
	if err == nil && len(batch) > 0 {
		err = w.write(batch)
	}
	if werr := w.close(); err == nil {
		err = werr
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

// batchWriter writes a snapshot's batches in order in a goroutine of its
// own, so the next batches are read while the last ones are committed, and
// the batches that queued meanwhile are committed together: one commit
// (two fsyncs) per batch made a snapshot wait for the disk more than it
// read, on a machine whose disk was busy. It holds at most
// snapshotQueue+2 batches: those waiting, one written, one filling.
type batchWriter struct {
	batches chan []herald.Delivery // waiting to be written
	free    chan []herald.Delivery // written, to be filled again
	done    chan struct{}          // the writer stopped; err says why
	err     error
	size    int
}

func newBatchWriter(ctx context.Context, write func([]herald.Delivery) error, size int) *batchWriter {
	w := &batchWriter{batches: make(chan []herald.Delivery, snapshotQueue),
		free: make(chan []herald.Delivery, snapshotQueue+2), done: make(chan struct{}), size: size}
	go func() {
		defer close(w.done)
		for b := range w.batches {
			b = w.gather(b)
			if err := write(b); err != nil {
				w.err = err
				return
			}
			if err := ctx.Err(); err != nil {
				w.err = err
				return
			}
			w.recycle(b)
		}
	}()
	return w
}

// snapshotQueue is how many full batches may wait for the writer.
const snapshotQueue = 4

// gather appends the batches waiting to b, giving theirs back.
func (w *batchWriter) gather(b []herald.Delivery) []herald.Delivery {
	for {
		select {
		case more, ok := <-w.batches:
			if !ok {
				return b
			}
			b = append(b, more...)
			w.recycle(more)
		default:
			return b
		}
	}
}

// recycle gives a written batch back to be filled again.
func (w *batchWriter) recycle(b []herald.Delivery) {
	select {
	case w.free <- b[:0]:
	default:
	}
}

// buffer is an empty batch to fill.
func (w *batchWriter) buffer() []herald.Delivery {
	select {
	case b := <-w.free:
		return b
	default:
		return make([]herald.Delivery, 0, w.size)
	}
}

// write queues b; it fails once the writer has failed.
func (w *batchWriter) write(b []herald.Delivery) error {
	select {
	case w.batches <- b:
		return nil
	case <-w.done:
		return w.err
	}
}

// close waits for the batches queued and says whether all were written.
func (w *batchWriter) close() error {
	close(w.batches)
	<-w.done
	return w.err
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
