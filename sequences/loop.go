package sequences

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// Run hands out due steps until ctx ends: it sleeps until the earliest
// time anyone waits for (one timer, no polling) or a Kick (a run ended,
// someone entered, a sequence changed), whichever is first. Each wake
// first moves on the people of step runs that ended (also those that
// ended while the bot was down).
func (s *Service) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		case <-s.kick:
		}
		if err := s.ApplyNotes(); err != nil {
			s.opts.Logger.Error("sequences: apply triggers", "error", err)
		}
		if err := s.MoveOn(); err != nil {
			s.opts.Logger.Error("sequences: move people on", "error", err)
		}
		if _, err := s.HandOut(ctx); err != nil {
			s.opts.Logger.Error("sequences: hand out steps", "error", err)
		}
		next, ok, err := s.opts.Store.NextSequenceDue()
		if err != nil {
			s.opts.Logger.Error("sequences: next due step", "error", err)
			next, ok = s.opts.Now().Add(time.Minute), true // try again soon
		}
		wait := 24 * time.Hour // nothing waits: a kick wakes the loop sooner
		if ok {
			wait = max(0, next.Sub(s.opts.Now()))
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// ApplyNotes enrolls and takes out the people whose follows, taps, tags
// and unsubscribes the store noted with the change itself (a durable
// queue: nothing is dropped in a burst or lost in a crash), a batch per
// transaction until none is left.
func (s *Service) ApplyNotes() error {
	for {
		n, err := s.opts.Store.ApplySequenceNotes(s.opts.Now(), s.opts.Batch, s.opts.Timing)
		if err != nil {
			return fmt.Errorf("sequences: apply triggers: %w", err)
		}
		if n < s.opts.Batch {
			return nil
		}
	}
}

// HandOut gives everyone due now their next step and starts the step runs
// made for them; it returns how many people were handed out.
func (s *Service) HandOut(ctx context.Context) (int, error) {
	bids, n, err := s.opts.Store.HandOutSteps(s.opts.Now(), s.opts.Batch, s.opts.Timing)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, bid := range bids {
		if _, err := s.opts.Runs.Start(ctx, bid); err != nil {
			errs = append(errs, fmt.Errorf("sequences: start step run of %s: %w", bid, err))
		}
	}
	return n, errors.Join(errs...)
}

// MoveOn moves on the people of every step run that ended: they wait for
// their next step, finish or leave. The list of step runs is durable, so
// a run that ended just before a crash is moved on after the restart, and
// moving on twice moves nobody twice.
func (s *Service) MoveOn() error {
	ids, err := s.opts.Store.SequenceRuns()
	if err != nil {
		return fmt.Errorf("sequences: list step runs: %w", err)
	}
	var errs []error
	for _, id := range ids {
		run, err := s.opts.Store.Run(id)
		if err != nil || run.Status.Unfinished() {
			continue // the dispatcher resumes it; its end moves them on
		}
		if err := s.opts.Store.AdvanceStepRun(id, s.opts.Timing); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Publish hears the events sink: when a run ends (a step's, perhaps), the
// loop moves its people on and looks again. It returns at once.
func (s *Service) Publish(_ context.Context, e herald.Event) {
	if _, ok := e.(herald.RunFinished); ok {
		s.Kick()
	}
}
