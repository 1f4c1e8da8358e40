package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
)

// stopReason says why a runner stops before its recipients are done.
type stopReason int32

const (
	stopNone stopReason = iota
	stopPause
	stopCancel
	stopShutdown
)

// runner sends one run. Its goroutines: one pager and Options.Workers
// senders per channel, one committer, one control watcher.
type runner struct {
	e     *Engine
	runID string
	bid   string
	b     herald.Broadcast

	reason   atomic.Int32
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{}

	prog    progress
	unknown unknowns
	// queued is what showQueued last told Options.Observer.
	queued map[herald.Account]int

	trackOnce sync.Once // tracking
	tracked   bool
	links     []herald.Button
}

func (e *Engine) newRunner(run herald.Run) *runner {
	return &runner{e: e, runID: run.ID, bid: run.BroadcastID,
		stopCh: make(chan struct{}), done: make(chan struct{})}
}

func (r *runner) stop(why stopReason) {
	r.reason.CompareAndSwap(int32(stopNone), int32(why))
	r.stopOnce.Do(func() { close(r.stopCh) })
}

func (r *runner) stopped() bool { return stopReason(r.reason.Load()) != stopNone }

// logErr logs an error the runner handles (and so logs once).
func (r *runner) logErr(msg string, err error) {
	r.e.opts.Logger.Error(msg, "run_id", r.runID, "error", err)
}

func (r *runner) run() {
	ctx := r.e.base
	store := r.e.store
	run, err := store.Run(r.runID)
	if err == nil {
		r.b, err = store.Broadcast(r.bid)
	}
	if err != nil {
		r.logErr("dispatch: load run", err)
		return
	}
	var due map[int64]int // when the pending may go, if the snapshot just told
	if run.Status == herald.RunSnapshotting {
		if due, err = r.snapshot(ctx, &run); err != nil {
			if ctx.Err() == nil {
				r.fail(ctx, err)
			}
			return
		}
		if run, err = r.afterSnapshot(ctx); err != nil || run.Status != herald.RunSending {
			return
		}
	}
	if run.Status != herald.RunSending {
		return
	}
	if err := r.settleUncertain(); err != nil {
		r.logErr("dispatch: settle uncertain recipients", err)
		return // resending them unawares could send twice: a restart tries again
	}
	if run, err = store.Run(r.runID); err != nil {
		r.logErr("dispatch: load run", err)
		return
	}
	r.prog.init(&run, r.e.opts.Now())
	if err := r.countHeld(); err != nil {
		r.logErr("dispatch: count held", err)
	}
	counted := r.countWaiting(ctx, &run, due)
	r.publish(ctx) // a resumed run says so at once, whether or not anything is due
	go r.watch(ctx)
	r.showQueued()
	r.sendAll(ctx)
	r.clearQueued()
	counted()
	switch stopReason(r.reason.Load()) {
	case stopCancel:
		r.finishCanceled(ctx)
	case stopNone:
		r.finish(ctx)
	}
}

// afterSnapshot honours a pause or cancel asked for while the audience was
// being written (the broadcast's status carries it), else starts sending.
func (r *runner) afterSnapshot(ctx context.Context) (herald.Run, error) {
	var run herald.Run
	_, err := r.e.store.UpdateBroadcastRun(r.bid, func(b *herald.Broadcast, last *herald.Run) error {
		if last == nil || last.ID != r.runID {
			return fmt.Errorf("run %s is no longer the broadcast's last: %w", r.runID, herald.ErrConflict)
		}
		if last.Status == herald.RunSnapshotting { // one transaction with the broadcast: a pause is seen or sees the run
			switch b.Status {
			case herald.StatusPaused:
				last.Status = herald.RunPaused
			case herald.StatusCanceled:
				last.Status = herald.RunCanceled
			default:
				last.Status = herald.RunSending
			}
		}
		run = *last
		return nil
	})
	if err != nil {
		r.logErr("dispatch: start sending", err)
		return run, err
	}
	if run.Status == herald.RunCanceled {
		r.finishCanceled(ctx)
	}
	return run, nil
}

// sendAll runs every channel until its pending recipients are done or the
// run stops, then commits what is left.
func (r *runner) sendAll(ctx context.Context) {
	c := newCommitter(r)
	go c.loop(ctx)
	var wg sync.WaitGroup
	for _, p := range r.b.Audience.Channels {
		for _, acc := range r.e.accountsOn(p) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.channel(ctx, acc, c.in, c.marks)
			}()
		}
	}
	wg.Wait()
	close(c.in)
	<-c.done
	r.unmarkUnsent()
}

// watch re-reads the run's status so a pause or cancel made anywhere
// (another process, the API) stops this runner.
func (r *runner) watch(ctx context.Context) {
	t := time.NewTicker(r.e.opts.ControlPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.done:
			return
		case <-t.C:
			run, err := r.e.store.Run(r.runID)
			if err != nil {
				continue
			}
			switch run.Status {
			case herald.RunPaused:
				if !r.stopped() { // paused elsewhere: the admin chat must not still say sending
					r.prog.setPaused(run.PauseReason)
					r.stop(stopPause)
					r.publish(ctx)
				}
			case herald.RunCanceled:
				r.stop(stopCancel)
			}
		}
	}
}

// finish completes the run, unless recipients are held for operator chats:
// then the run stays sending until Release has delivered the last of them.
func (r *runner) finish(ctx context.Context) {
	if r.prog.heldCount() > 0 {
		select {
		case <-r.prog.heldDone:
		case <-r.stopCh:
			if stopReason(r.reason.Load()) == stopCancel {
				r.finishCanceled(ctx)
			}
			return
		case <-ctx.Done():
			return
		}
	}
	r.complete(ctx, herald.RunCompleted, herald.StatusCompleted, "")
}

func (r *runner) fail(ctx context.Context, err error) {
	r.logErr("dispatch: run failed", err)
	r.complete(ctx, herald.RunFailed, herald.StatusFailed, err.Error())
}

// complete records the run's end and the broadcast's, and reports.
func (r *runner) complete(ctx context.Context, rs herald.RunStatus, bs herald.Status, why string) {
	now := r.e.opts.Now()
	run, err := r.e.store.UpdateRun(r.runID, func(run *herald.Run) error {
		run.Status, run.FinishedAt = rs, now
		if why != "" {
			run.PauseReason = why
		}
		return nil
	})
	if err != nil {
		r.logErr("dispatch: finish run", err)
		return
	}
	if bs == herald.StatusCompleted && r.b.Schedule.Kind == herald.SendRecurring || r.b.Step != nil {
		bs = herald.StatusScheduled // the scheduler plans the next occurrence; a sequence hands out its step's next run
	}
	if _, err := r.e.store.UpdateBroadcast(r.bid, func(b *herald.Broadcast) error {
		if b.Status == bs || !herald.CanTransition(b.Status, bs) {
			return nil // e.g. a retry run of a completed broadcast
		}
		b.Status = bs
		return nil
	}); err != nil {
		r.logErr("dispatch: finish broadcast", err)
	}
	r.e.publish(ctx, herald.RunFinished{Report: r.report(&run, now)})
}

// finishCanceled gives every recipient still pending or held the outcome
// skipped/canceled, so the tally and the report add up.
func (r *runner) finishCanceled(ctx context.Context) {
	now := r.e.opts.Now()
	for _, o := range []herald.Outcome{herald.Pending, herald.Held} {
		for {
			ds, err := r.e.store.Deliveries(r.runID, o, 0, r.e.opts.PageSize)
			if err != nil {
				r.logErr("dispatch: cancel", err)
				return
			}
			if len(ds) == 0 {
				break
			}
			for i := range ds {
				ds[i].Outcome, ds[i].Reason, ds[i].At = herald.Skipped, herald.ReasonCanceled, now
			}
			if err := r.e.store.RecordOutcomes(r.runID, ds); err != nil {
				r.logErr("dispatch: cancel", err)
				return
			}
		}
	}
	r.complete(ctx, herald.RunCanceled, herald.StatusCanceled, "")
}

// report builds the final report from storage (the truth after restarts).
func (r *runner) report(run *herald.Run, now time.Time) herald.Report {
	rep := herald.Report{Progress: r.prog.snapshot(r, now)}
	rep.Status, rep.Total, rep.Channels = run.Status, run.Total, run.Tally
	rep.StartedAt, rep.PauseReason, rep.Control = run.StartedAt, run.PauseReason, run.Control
	rep.Duration = now.Sub(run.StartedAt)
	rep.Accounts = run.AccountTallies()
	for _, o := range []herald.Outcome{herald.Failed, herald.Skipped} {
		groups := herald.ReasonCounter{}
		var after uint32
		for {
			ds, err := r.e.store.Deliveries(r.runID, o, after, r.e.opts.PageSize)
			if err != nil {
				break
			}
			for _, d := range ds {
				groups.Add(d.Recipient.Platform, d.Reason)
			}
			if len(ds) < r.e.opts.PageSize {
				break
			}
			after = ds[len(ds)-1].Seq
		}
		if o == herald.Failed {
			rep.Failures = groups.Sorted()
		} else {
			rep.Skips = groups.Sorted()
		}
	}
	return rep
}

var errNoSender = errors.New("no sender configured for this platform")

func noSender(acc herald.Account) error { return fmt.Errorf("dispatch: %s: %w", acc, errNoSender) }
