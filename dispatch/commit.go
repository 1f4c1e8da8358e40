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
// A pager's request to mark recipients in flight (marks) commits at once,
// with the outcomes gathered so far: its senders wait for it.
type committer struct {
	r     *runner
	in    chan []herald.Delivery
	marks chan *mark
	done  chan struct{}
	buf   []herald.Delivery
	held  []*mark // marks to write in the next commit
	// why is set when the failure threshold was passed: the run stops at
	// once and the pause is recorded after the next commit.
	why string
}

func newCommitter(r *runner) *committer {
	return &committer{r: r, in: make(chan []herald.Delivery, r.e.opts.Workers), marks: make(chan *mark, 2*len(r.b.Audience.Channels)),
		done: make(chan struct{}), buf: make([]herald.Delivery, 0, r.e.opts.CommitBatch+500)}
}

func (c *committer) loop(ctx context.Context) {
	defer close(c.done)
	t := time.NewTicker(c.r.e.opts.CommitInterval)
	defer t.Stop()
	for {
		select {
		case ds, ok := <-c.in:
			if !ok {
				for len(c.marks) > 0 { // none left to wait on: nobody sends them
					m := <-c.marks
					m.err = errStopped
					close(m.done)
				}
				c.flush(ctx)
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
		}
	}
}

func (c *committer) flush(ctx context.Context) {
	r := c.r
	defer func() {
		if c.why != "" {
			r.autoPause(ctx, c.why)
			c.why = ""
		}
	}()
	if len(c.buf) == 0 && len(c.held) == 0 {
		return
	}
	var started []uint32
	for _, m := range c.held {
		started = append(started, m.seqs...)
	}
	err := r.record(ctx, started, c.buf)
	for _, m := range c.held {
		m.err = err
		close(m.done)
	}
	c.buf, c.held = c.buf[:0], c.held[:0]
	if err != nil {
		// Storage is failing: stop taking recipients; what was not recorded
		// stays pending and is sent again after a restart (the crash bound);
		// those whose mark failed are not sent.
		r.logErr("dispatch: record outcomes", err)
		r.stop(stopShutdown)
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
