package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/heraldbot/herald"
)

// Engine runs broadcasts: one runner per broadcast with an unfinished run.
// Scheduling (when a broadcast starts) is the scheduler's; the engine
// exposes Start, Recover and the controls.
type Engine struct {
	store  Store
	routes map[herald.Account]*route
	opts   Options

	base   context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	active map[string]*runner // by broadcast ID
	wg     sync.WaitGroup
}

// New returns an engine sending through senders (one per platform, for
// its default account; Options.Accounts adds named accounts' senders; an
// account without one fails its recipients with a clear reason). Each
// sender brings its own rate classes (RateLimited) and rules on whom it
// may reach (Gate).
func New(store Store, senders map[herald.Platform]Sender, opts Options) *Engine {
	opts.withDefaults()
	base, cancel := context.WithCancel(context.Background())
	return &Engine{
		store: store, routes: newRoutes(senders, opts.Accounts, &opts), opts: opts,
		base: base, cancel: cancel,
		active: map[string]*runner{},
	}
}

// Start begins sending a broadcast now: it resumes the broadcast's
// unfinished run if it has one (after a restart), or creates a run and
// snapshots the audience. It returns once the run is stored; sending goes
// on in the background.
func (e *Engine) Start(ctx context.Context, broadcastID string) (herald.Run, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r := e.active[broadcastID]; r != nil {
		return e.store.Run(r.runID)
	}
	if run, ok, err := e.unfinishedRun(broadcastID); err != nil {
		return herald.Run{}, err
	} else if ok {
		if run.Status == herald.RunPaused {
			return run, fmt.Errorf("dispatch: start %s: run %s is paused: %w", broadcastID, run.ID, herald.ErrInvalidTransition)
		}
		e.launch(run)
		return run, nil
	}
	// The broadcast becomes sending in the transaction that creates its
	// run: a pause or cancel saved a moment before wins, one saved after
	// finds the run to stop.
	run := herald.Run{BroadcastID: broadcastID, Status: herald.RunSnapshotting, StartedAt: e.opts.Now()}
	err := e.store.StartRun(&run, func(b *herald.Broadcast) error {
		if b.Status != herald.StatusScheduled && b.Status != herald.StatusSending {
			return fmt.Errorf("%w: %s → %s", herald.ErrInvalidTransition, b.Status, herald.StatusSending)
		}
		b.Status = herald.StatusSending
		return nil
	})
	if err != nil {
		return herald.Run{}, fmt.Errorf("dispatch: start %s: %w", broadcastID, err)
	}
	e.launch(run)
	return run, nil
}

// Recover resumes, after a restart, the runs of the given broadcasts that
// were snapshotting or sending (paused ones stay paused). cmd/bot passes
// the broadcasts stored with status sending.
func (e *Engine) Recover(ctx context.Context, broadcastIDs []string) error {
	var errs []error
	for _, id := range broadcastIDs {
		if _, ok, err := e.unfinishedRun(id); err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		if _, err := e.Start(ctx, id); err != nil && !errors.Is(err, herald.ErrInvalidTransition) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// unfinishedRun is the broadcast's last run if it is not finished.
func (e *Engine) unfinishedRun(broadcastID string) (herald.Run, bool, error) {
	runs, err := e.store.RunsOf(broadcastID)
	if err != nil {
		return herald.Run{}, false, fmt.Errorf("dispatch: runs of %s: %w", broadcastID, err)
	}
	if len(runs) == 0 {
		return herald.Run{}, false, nil
	}
	last := runs[len(runs)-1]
	switch last.Status {
	case herald.RunSnapshotting, herald.RunSending, herald.RunPaused:
		return last, true, nil
	}
	return last, false, nil
}

// launch starts a runner for run; e.mu is held.
func (e *Engine) launch(run herald.Run) {
	r := e.newRunner(run)
	e.active[run.BroadcastID] = r
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		r.run()
		e.mu.Lock()
		if e.active[run.BroadcastID] == r {
			delete(e.active, run.BroadcastID)
		}
		e.mu.Unlock()
		close(r.done)
	}()
}

// Wait blocks until no run is active (tests, the benchmark) or ctx ends.
func (e *Engine) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops every run the way a pause does, without changing any
// status: in-flight sends finish and are committed, so a restart resumes
// where this one stopped. When ctx ends first, sends are abandoned (their
// recipients stay pending).
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	for _, r := range e.active {
		r.stop(stopShutdown)
	}
	e.mu.Unlock()
	err := e.Wait(ctx)
	e.cancel()
	if err != nil {
		e.wg.Wait()
	}
	return err
}

func (e *Engine) setBroadcastStatus(id string, to herald.Status) error {
	_, err := e.store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		if b.Status == to {
			return nil
		}
		if err := herald.Transition(b.Status, to); err != nil {
			return err
		}
		b.Status = to
		return nil
	})
	if err != nil {
		return fmt.Errorf("dispatch: broadcast %s → %s: %w", id, to, err)
	}
	return nil
}

func (e *Engine) runner(broadcastID string) *runner {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.active[broadcastID]
}

// publish tells Options.Events, if any.
func (e *Engine) publish(ctx context.Context, ev herald.Event) {
	if e.opts.Events != nil {
		e.opts.Events.Publish(ctx, ev)
	}
}
