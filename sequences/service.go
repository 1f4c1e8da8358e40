// Package sequences runs drips: the one place sequences change (the chat
// and the API are its doors; every change is audited), the triggers that
// enroll people, and the loop that hands out due steps to the dispatcher
// and moves people on when a step's run ends.
package sequences

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// Store is what sequences keep; *storage.Store satisfies it.
type Store interface {
	CreateSequence(q *herald.Sequence) error
	Sequence(id string) (herald.Sequence, error)
	Sequences() ([]herald.Sequence, error)
	UpdateSequence(id string, fn func(q *herald.Sequence) error) (herald.Sequence, error)
	DeleteSequence(id string) (herald.Sequence, error)
	ApplySequenceNotes(now time.Time, limit int, timing herald.StepTiming) (int, error)
	EnrollMatching(kind herald.TriggerKind, detail string, sub uint32, now time.Time, timing herald.StepTiming) ([]string, error)
	HandOutSteps(now time.Time, batch int, timing herald.StepTiming) ([]string, int, error)
	AdvanceStepRun(runID string, timing herald.StepTiming) error
	NextSequenceDue() (time.Time, bool, error)
	SequenceRuns() ([]string, error)
	TakeEvent(id string, at time.Time) (bool, error)
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
	Broadcast(id string) (herald.Broadcast, error)
	RunsOf(broadcastID string) ([]herald.Run, error)
	Run(id string) (herald.Run, error)
	Taps(broadcastID string) ([]herald.TapCount, error)
	Clicks(broadcastID string) ([]herald.TapCount, error)
	Audit(e herald.AuditEntry) error
}

// Runs starts a step broadcast's run (*dispatch.Engine): the run exists
// already, with its recipients, so Start resumes it. Resume restarts one
// that paused itself after too many failures.
type Runs interface {
	Start(ctx context.Context, broadcastID string) (herald.Run, error)
	Resume(ctx context.Context, broadcastID, actor string) (herald.Change, error)
}

// Options configure a Service. Store, Runs and Timing are required.
type Options struct {
	Store  Store
	Runs   Runs
	Timing herald.StepTiming
	// Batch is the most people one step run takes (default 10,000): a
	// larger crowd goes out as several runs, one after the other.
	Batch  int
	Now    func() time.Time
	Logger *slog.Logger
}

// Service changes sequences, enrolls people and hands out due steps.
type Service struct {
	opts Options
	kick chan struct{}

	mu     sync.Mutex
	active []herald.Trigger // the triggers of active sequences: most events match none
	loaded bool
}

// New returns a service; Run starts its hand-out loop.
func New(opts Options) *Service {
	if opts.Batch <= 0 {
		opts.Batch = 10000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts, kick: make(chan struct{}, 1)}
}

// normalize stores tags as subscribers carry them ("VIP " is "vip"), so
// a trigger or exit tag typed either way matches.
func normalize(q *herald.Sequence) {
	q.Name = strings.TrimSpace(q.Name)
	q.Trigger.Tag, q.Trigger.Event = herald.NormalizeTag(q.Trigger.Tag), strings.TrimSpace(q.Trigger.Event)
	if q.ExitTags != nil {
		q.ExitTags = herald.NormalizeTags(q.ExitTags)
	}
	if len(q.Accounts) == 0 {
		q.Accounts = nil // every account, as stored before sequences had accounts
	}
}

// Create validates and stores a new sequence, active unless paused.
func (s *Service) Create(ctx context.Context, actor string, q *herald.Sequence) error {
	normalize(q)
	if err := q.Validate(); err != nil {
		return err
	}
	q.CreatedBy, q.UpdatedBy = actor, actor
	if err := s.opts.Store.CreateSequence(q); err != nil {
		return fmt.Errorf("sequences: create: %w", err)
	}
	s.changed(ctx, actor, "sequence.create", q.ID, q.Name)
	return nil
}

// Update changes a sequence with fn (its steps by index; a removed step's
// people have finished) and validates the result.
func (s *Service) Update(ctx context.Context, actor, id string, fn func(q *herald.Sequence) error) (herald.Sequence, error) {
	q, err := s.opts.Store.UpdateSequence(id, func(q *herald.Sequence) error {
		if err := fn(q); err != nil {
			return err
		}
		q.UpdatedBy = actor
		normalize(q)
		return q.Validate()
	})
	if err != nil {
		return q, fmt.Errorf("sequences: update %s: %w", id, err)
	}
	s.changed(ctx, actor, "sequence.update", id, q.Name)
	return q, nil
}

// SetPaused pauses (no step goes out, nobody enters; a step run already
// going finishes) or resumes a sequence. It reports whether it changed.
func (s *Service) SetPaused(ctx context.Context, actor, id string, paused bool) (herald.Sequence, bool, error) {
	changed := false
	q, err := s.opts.Store.UpdateSequence(id, func(q *herald.Sequence) error {
		changed = q.Paused != paused
		q.Paused = paused
		if changed {
			q.UpdatedBy = actor
		}
		return nil
	})
	if err != nil {
		return q, false, fmt.Errorf("sequences: pause %s: %w", id, err)
	}
	if changed {
		action := "sequence.resume"
		if paused {
			action = "sequence.pause"
		}
		s.changed(ctx, actor, action, id, q.Name)
	}
	if !paused {
		resumed, err := s.resumeStalled(ctx, actor, &q)
		changed = changed || resumed
		if err != nil {
			return q, changed, err
		}
	}
	return q, changed, nil
}

// resumeStalled resumes the step runs that paused themselves after too
// many failures (the dispatcher's threshold): resuming the sequence is how
// an admin says the cause is fixed.
func (s *Service) resumeStalled(ctx context.Context, actor string, q *herald.Sequence) (bool, error) {
	resumed := false
	for _, st := range q.Steps {
		b, err := s.opts.Store.Broadcast(st.BroadcastID)
		if err != nil || b.Status != herald.StatusPaused {
			continue
		}
		if _, err := s.opts.Runs.Resume(ctx, b.ID, actor); err != nil {
			return resumed, fmt.Errorf("sequences: resume step run of %s: %w", b.ID, err)
		}
		resumed = true
	}
	return resumed, nil
}

// Delete removes a sequence with its people and step records.
func (s *Service) Delete(ctx context.Context, actor, id string) (herald.Sequence, error) {
	q, err := s.opts.Store.DeleteSequence(id)
	if err != nil {
		return q, fmt.Errorf("sequences: delete %s: %w", id, err)
	}
	s.changed(ctx, actor, "sequence.delete", id, q.Name)
	return q, nil
}

// Get returns one sequence.
func (s *Service) Get(id string) (herald.Sequence, error) { return s.opts.Store.Sequence(id) }

// List returns every sequence, oldest first.
func (s *Service) List() ([]herald.Sequence, error) { return s.opts.Store.Sequences() }

// changed audits a change, forgets the cached triggers and wakes the loop.
func (s *Service) changed(_ context.Context, actor, action, id, detail string) {
	if err := s.opts.Store.Audit(herald.AuditEntry{At: s.opts.Now(), Actor: actor, Action: action, Target: id, Detail: detail}); err != nil {
		s.opts.Logger.Error("sequences: audit", "sequence_id", id, "action", action, "error", err)
	}
	s.mu.Lock()
	s.loaded = false
	s.mu.Unlock()
	s.Kick()
}

// Kick wakes the hand-out loop to look again (a step run ended, someone
// entered, a sequence changed).
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
