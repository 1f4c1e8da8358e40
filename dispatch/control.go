package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// Pause stops a broadcast: a scheduled one stays unsent until resumed; a
// running one's workers take no new recipients, and in-flight sends finish
// and are committed. It holds across restarts. The decision is one
// transaction over the broadcast and its run, so a pause that lands while
// the scheduler starts the broadcast stops it either way.
func (e *Engine) Pause(ctx context.Context, broadcastID, actor string) (herald.Change, error) {
	ch, was, err := e.control(herald.Pause, broadcastID, actor)
	if err != nil {
		return ch, err
	}
	if was != herald.RunSending {
		return ch, nil // a snapshotting run reads the broadcast's status when the snapshot is written
	}
	if r := e.runner(broadcastID); r != nil {
		r.prog.setPaused("")
		r.stop(stopPause)
		r.publish(ctx)
	}
	return ch, nil
}

// Resume continues a paused run where it stopped, or schedules again a
// broadcast paused before it started.
func (e *Engine) Resume(ctx context.Context, broadcastID, actor string) (herald.Change, error) {
	ch, was, err := e.control(herald.Resume, broadcastID, actor)
	if err != nil || was != herald.RunPaused {
		return ch, err
	}
	if err := e.waitStopped(ctx, broadcastID); err != nil {
		return ch, err
	}
	_, err = e.Start(ctx, broadcastID)
	return ch, err
}

// Cancel ends a broadcast for good: nothing more is sent and the
// recipients of its run not yet reached are recorded as skipped (canceled).
func (e *Engine) Cancel(ctx context.Context, broadcastID, actor string) (herald.Change, error) {
	ch, was, err := e.control(herald.Cancel, broadcastID, actor)
	if err != nil || was == "" || was == herald.RunSnapshotting {
		return ch, err // never started, or the runner cancels once the snapshot is written
	}
	if r := e.runner(broadcastID); r != nil {
		r.stop(stopCancel) // the runner records the skipped recipients…
		select {
		case <-r.done:
		case <-ctx.Done():
			return ch, ctx.Err()
		}
	}
	// …unless it was already stopping for another reason, or not running.
	runs, err := e.store.RunsOf(broadcastID)
	if err != nil || len(runs) == 0 || !runs[len(runs)-1].FinishedAt.IsZero() {
		return ch, err
	}
	run := runs[len(runs)-1]
	r := e.newRunner(run)
	if r.b, err = e.store.Broadcast(broadcastID); err != nil {
		return ch, fmt.Errorf("dispatch: cancel %s: %w", broadcastID, err)
	}
	r.prog.init(&run, e.opts.Now())
	r.finishCanceled(e.base)
	return ch, nil
}

// control decides c in one transaction over the broadcast and its last
// run, and returns the change with the status the run had before ("" when
// the broadcast has no unfinished run).
func (e *Engine) control(c herald.Control, broadcastID, actor string) (herald.Change, herald.RunStatus, error) {
	var ch herald.Change
	var was herald.RunStatus
	b, err := e.store.UpdateBroadcastRun(broadcastID, func(b *herald.Broadcast, last *herald.Run) error {
		ch.From, was = b.Status, ""
		if last != nil && unfinished(last.Status) {
			was = last.Status
		}
		if err := c.Apply(b, last); err != nil {
			return err
		}
		b.UpdatedBy = actor
		return nil
	})
	if err != nil {
		return ch, "", fmt.Errorf("dispatch: control %s: %w", broadcastID, err)
	}
	ch.Broadcast = b
	return ch, was, nil
}

func unfinished(s herald.RunStatus) bool { return s.Unfinished() }

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
	e.launch(run)
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
