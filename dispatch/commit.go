package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// committer gathers outcomes and writes them in group commits of at most
// Options.CommitBatch (a job's outcomes are never split) or every
// Options.CommitInterval. After each commit it marks gone recipients
// blocked, moves the progress, checks the failure threshold and reports.
//
// A commit is written in the background while the next one gathers, so
// the senders never wait for the disk: outcomes are taken in as long as
// those being written and those gathered add up to less than
// CommitBatch, the same bound on unrecorded outcomes as one batch
// written at a time (it was: a commit's fsyncs held every worker whose
// outcome found the queue full).
//
// A pager's request to mark recipients in flight (marks) is written by the
// next commit, with the outcomes gathered so far: its senders wait for it.
type committer struct {
	r     *runner
	in    chan []herald.Delivery
	marks chan *mark
	done  chan struct{}
	buf   []herald.Delivery
	held  []*mark // marks to write in the next commit
	// why is set when the failure threshold was passed: the run stops at
	// once and the pause is recorded after the commit of the outcome that
	// passed it.
	why string
	// The commit being written (busy): its outcomes (writing); wrote is
	// told when it ends; again asks for the next one at once.
	busy    bool
	writing []herald.Delivery
	spare   []herald.Delivery // the buffer the last commit wrote from
	wrote   chan struct{}
	again   bool
}

func newCommitter(r *runner) *committer {
	n := r.e.opts.CommitBatch + 500
	return &committer{r: r, in: make(chan []herald.Delivery, r.e.opts.Workers), marks: make(chan *mark, 2*len(r.b.Audience.Channels)),
		done: make(chan struct{}), buf: make([]herald.Delivery, 0, n), spare: make([]herald.Delivery, 0, n), wrote: make(chan struct{})}
}

func (c *committer) loop(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(c.r.e.opts.CommitInterval)
	defer t.Stop()
	for {
		in := c.in
		if c.busy && len(c.writing)+len(c.buf) >= c.r.e.opts.CommitBatch {
			in = nil // a batch's worth is unrecorded: wait for the disk
		}
		select {
		case ds, ok := <-in:
			if !ok {
				c.finish(ctx)
				return
			}
			c.buf = append(c.buf, ds...)
			if why := c.r.prog.observe(ds, &c.r.e.opts); why != "" {
				c.why = why
				c.r.stop(stopPause)
			}
			if len(c.buf) >= c.r.e.opts.CommitBatch {
				c.flush(ctx)
			}
		case m := <-c.marks:
			c.held = append(c.held, m)
			for len(c.marks) > 0 { // other channels' marks share the commit
				c.held = append(c.held, <-c.marks)
			}
			c.flush(ctx)
		case <-t.C:
			c.flush(ctx)
		case <-c.wrote:
			c.written()
			if c.again {
				c.again = false
				c.flush(ctx)
			}
		}
	}
}

// finish, once the senders have stopped, waits for the commit being
// written and writes what is left.
func (c *committer) finish(ctx context.Context) {
	if c.busy {
		<-c.wrote
		c.written()
	}
	for len(c.marks) > 0 { // none left to wait on: nobody sends them
		m := <-c.marks
		m.err = errStopped
		close(m.done)
	}
	if c.flush(ctx) {
		<-c.wrote
	}
}

// written takes back the buffer of the commit that ended.
func (c *committer) written() {
	c.busy, c.spare, c.writing = false, c.writing[:0], nil
}

// flush starts writing the gathered outcomes and marks, or asks for it
// once the commit being written ends; it reports whether it started one.
func (c *committer) flush(ctx context.Context) bool {
	if c.busy {
		c.again = true
		return false
	}
	why := c.why
	c.why = ""
	if len(c.buf) == 0 && len(c.held) == 0 {
		if why != "" {
			c.r.autoPause(ctx, why)
		}
		return false
	}
	ds, marks := c.buf, c.held
	c.busy, c.writing, c.buf, c.held = true, ds, c.spare, nil
	go func() {
		defer func() { c.wrote <- struct{}{} }()
		c.write(ctx, ds, marks, why)
	}()
	return true
}

// write is one group commit: the marks' recipients in flight and the
// outcomes ds, then the pause the failure threshold asked for (why).
func (c *committer) write(ctx context.Context, ds []herald.Delivery, marks []*mark, why string) {
	r := c.r
	var started []uint32
	for _, m := range marks {
		started = append(started, m.seqs...)
	}
	err := r.record(ctx, started, ds)
	for _, m := range marks {
		m.err = err
		close(m.done)
	}
	if err != nil {
		// Storage is failing: stop taking recipients; what was not recorded
		// stays pending and is sent again after a restart (the crash bound);
		// those whose mark failed are not sent.
		r.logErr("dispatch: record outcomes", err)
		r.stop(stopShutdown)
	}
	if why != "" {
		r.autoPause(ctx, why)
	}
}

// record commits in-flight marks and outcomes (retrying briefly), marks
// gone recipients blocked, moves the progress and applies the failure
// threshold.
func (r *runner) record(ctx context.Context, started []uint32, ds []herald.Delivery) error {
	var err error
	for try := 1; try <= 3; try++ {
		if err = r.e.store.CommitDeliveries(r.runID, started, ds); err == nil {
			break
		}
		if r.e.opts.Sleep(ctx, r.e.opts.backoffDelay(try)) != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("dispatch: record %d outcomes of %s: %w", len(ds), r.runID, err)
	}
	for _, d := range ds {
		if d.Outcome == herald.Failed && d.Reason == herald.ReasonBlocked {
			r.markBlocked(d.Recipient)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	now := r.e.opts.Now()
	r.prog.add(ds, now)
	r.showQueued()
	r.e.publish(ctx, herald.RunProgress{Progress: r.prog.snapshot(r, now)})
	return nil
}

func (r *runner) markBlocked(key herald.SubscriberKey) {
	_, err := r.e.store.UpdateSubscriber(key, func(s *herald.Subscriber, created bool) error {
		if created {
			return herald.ErrNotFound // erased meanwhile: do not resurrect
		}
		s.State = herald.Blocked
		return nil
	})
	if err != nil && !isNotFound(err) {
		r.logErr("dispatch: mark blocked", err)
	}
}

// autoPause stops a run whose failures passed the threshold and says why.
func (r *runner) autoPause(ctx context.Context, why string) {
	if _, err := r.e.store.UpdateRun(r.runID, func(run *herald.Run) error {
		if run.Status == herald.RunSending {
			run.Status, run.PauseReason = herald.RunPaused, why
		}
		return nil
	}); err != nil {
		r.logErr("dispatch: auto-pause", err)
		return
	}
	if err := r.e.setBroadcastStatus(r.bid, herald.StatusPaused); err != nil {
		r.logErr("dispatch: auto-pause", err)
	}
	r.e.audit("system", "broadcast.auto_pause", r.bid, why)
	r.e.opts.Logger.Warn("dispatch: run paused automatically", "run_id", r.runID, "reason", why)
	r.prog.setPaused(why)
	r.stop(stopPause)
	r.e.publish(ctx, herald.RunProgress{Progress: r.prog.snapshot(r, r.e.opts.Now())})
}
