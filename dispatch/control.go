package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// Pause stops a broadcast's run: workers take no new recipients, in-flight
// sends finish and are committed. It holds across restarts.
func (e *Engine) Pause(ctx context.Context, broadcastID, actor string) error {
	run, err := e.controllable(broadcastID)
	if err != nil {
		return err
	}
	if run.Status == herald.RunPaused {
		return nil
	}
	if run.Status == herald.RunSending {
		if _, err := e.store.UpdateRun(run.ID, func(r *herald.Run) error {
			if r.Status == herald.RunSending {
				r.Status = herald.RunPaused
			}
			return nil
		}); err != nil {
			return fmt.Errorf("dispatch: pause %s: %w", broadcastID, err)
		}
	} // a snapshotting run reads the broadcast's status when the snapshot is written
	if err := e.setBroadcastStatus(broadcastID, herald.StatusPaused); err != nil && run.Status == herald.RunSnapshotting {
		return err
	}
	if r := e.runner(broadcastID); r != nil && run.Status == herald.RunSending {
		r.prog.setPaused("")
		r.stop(stopPause)
		r.publish(ctx)
	}
	e.audit(actor, "broadcast.pause", broadcastID, run.ID)
	return nil
}

// Resume continues a paused run where it stopped.
func (e *Engine) Resume(ctx context.Context, broadcastID, actor string) error {
	run, err := e.controllable(broadcastID)
	if err != nil {
		return err
	}
	if run.Status != herald.RunPaused {
		if run.Status == herald.RunSnapshotting {
			return e.setBroadcastStatus(broadcastID, herald.StatusSending)
		}
		return nil // already going
	}
	if err := e.waitStopped(ctx, broadcastID); err != nil {
		return err
	}
	if _, err := e.store.UpdateRun(run.ID, func(r *herald.Run) error {
		r.Status, r.PauseReason = herald.RunSending, ""
		return nil
	}); err != nil {
		return fmt.Errorf("dispatch: resume %s: %w", broadcastID, err)
	}
	if err := e.setBroadcastStatus(broadcastID, herald.StatusSending); err != nil && !errors.Is(err, herald.ErrInvalidTransition) {
		return err
	}
	e.audit(actor, "broadcast.resume", broadcastID, run.ID)
	_, err = e.Start(ctx, broadcastID)
	return err
}

// Cancel ends a broadcast's run for good: nothing more is sent and the
// recipients not yet reached are recorded as skipped (canceled).
func (e *Engine) Cancel(ctx context.Context, broadcastID, actor string) error {
	run, ok, err := e.unfinishedRun(broadcastID)
	if err != nil {
		return err
	}
	if !ok { // never started: only the broadcast's status changes
		if err := e.setBroadcastStatus(broadcastID, herald.StatusCanceled); err != nil {
			return err
		}
		e.audit(actor, "broadcast.cancel", broadcastID, "")
		return nil
	}
	if _, err := e.store.UpdateRun(run.ID, func(r *herald.Run) error {
		if r.Status != herald.RunSnapshotting {
			r.Status = herald.RunCanceled
		}
		return nil
	}); err != nil {
		return fmt.Errorf("dispatch: cancel %s: %w", broadcastID, err)
	}
	if err := e.setBroadcastStatus(broadcastID, herald.StatusCanceled); err != nil && !errors.Is(err, herald.ErrInvalidTransition) {
		return err
	}
	e.audit(actor, "broadcast.cancel", broadcastID, run.ID)
	if run.Status == herald.RunSnapshotting {
		return nil // the runner cancels once the snapshot is written
	}
	if r := e.runner(broadcastID); r != nil {
		r.stop(stopCancel) // the runner records the skipped recipients…
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// …unless it was already stopping for another reason, or not running.
	if run, err = e.store.Run(run.ID); err != nil || !run.FinishedAt.IsZero() {
		return err
	}
	r := e.newRunner(run)
	if r.b, err = e.store.Broadcast(broadcastID); err != nil {
		return fmt.Errorf("dispatch: cancel %s: %w", broadcastID, err)
	}
	r.prog.init(&run, e.opts.Now())
	r.finishCanceled(e.base)
	return nil
}

// RetryFailed makes a new run of a broadcast over only the recipients its
// last finished run failed to reach (leaving out those who blocked the bot)
// and starts it.
func (e *Engine) RetryFailed(ctx context.Context, broadcastID, actor string) (herald.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active[broadcastID] != nil {
		return herald.Run{}, fmt.Errorf("dispatch: retry %s: a run is still going: %w", broadcastID, herald.ErrConflict)
	}
	runs, err := e.store.RunsOf(broadcastID)
	if err != nil || len(runs) == 0 {
		return herald.Run{}, fmt.Errorf("dispatch: retry %s: %w", broadcastID, errors.Join(err, herald.ErrNotFound))
	}
	last := runs[len(runs)-1]
	switch last.Status {
	case herald.RunCompleted, herald.RunFailed, herald.RunCanceled:
	default:
		return herald.Run{}, fmt.Errorf("dispatch: retry %s: run %s is %s: %w", broadcastID, last.ID, last.Status, herald.ErrConflict)
	}
	run := herald.Run{BroadcastID: broadcastID, RetryOf: last.ID, Status: herald.RunSnapshotting, StartedAt: e.opts.Now()}
	if err := e.store.CreateRun(&run); err != nil {
		return herald.Run{}, fmt.Errorf("dispatch: retry %s: %w", broadcastID, err)
	}
	e.audit(actor, "broadcast.retry_failed", broadcastID, run.ID)
	e.launch(run)
	return run, nil
}

// controllable is the broadcast's unfinished run, or an error naming why
// there is nothing to control.
func (e *Engine) controllable(broadcastID string) (herald.Run, error) {
	run, ok, err := e.unfinishedRun(broadcastID)
	if err != nil {
		return run, err
	}
	if !ok {
		return run, fmt.Errorf("dispatch: %s has no run in progress: %w", broadcastID, herald.ErrInvalidTransition)
	}
	return run, nil
}

// waitStopped waits for a stopping runner of the broadcast to be gone.
func (e *Engine) waitStopped(ctx context.Context, broadcastID string) error {
	r := e.runner(broadcastID)
	if r == nil {
		return nil
	}
	r.stop(stopPause)
	select {
	case <-r.done: // closed after it left e.active
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Engine) audit(actor, action, target, detail string) {
	if err := e.store.Audit(herald.AuditEntry{At: e.opts.Now(), Actor: actor, Action: action, Target: target, Detail: detail}); err != nil {
		e.opts.Logger.Error("dispatch: audit", "action", action, "error", err)
	}
}

func isNotFound(err error) bool { return errors.Is(err, herald.ErrNotFound) }
