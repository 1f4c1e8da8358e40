// Package broadcasts is the one place broadcasts change: the admin chat
// (flows), the REST API and the buttons on progress, report and approval
// cards are doors onto it. Each decision is one storage transaction, is
// audited here once and is published as a herald.BroadcastChanged event,
// so the doors translate words and status codes and can no longer
// disagree about the rules.
package broadcasts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// Store is what the service keeps; *storage.Store satisfies it.
type Store interface {
	CreateBroadcast(b *herald.Broadcast) error
	Broadcast(id string) (herald.Broadcast, error)
	UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error)
	DeleteBroadcastIf(id string, ok func(b *herald.Broadcast) error) (herald.Broadcast, error)
	UpdateBroadcastRun(id string, fn func(b *herald.Broadcast, last *herald.Run) error) (herald.Broadcast, error)
	FindBroadcasts(text string, limit int) ([]herald.Broadcast, error)
	Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error)
	Audit(e herald.AuditEntry) error
	Results
}

// Results reads what runs did: retry-failed counts and the failures CSV.
type Results interface {
	RunsOf(broadcastID string) ([]herald.Run, error)
	Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error)
}

// Runs is the dispatcher's run control (*dispatch.Engine). Pause, Resume
// and Cancel decide in one transaction over the broadcast and its run, so
// a control that lands while the scheduler starts the broadcast holds.
type Runs interface {
	Pause(ctx context.Context, broadcastID, actor string) (herald.Change, error)
	Resume(ctx context.Context, broadcastID, actor string) (herald.Change, error)
	Cancel(ctx context.Context, broadcastID, actor string) (herald.Change, error)
	RetryFailed(ctx context.Context, broadcastID, actor string) (herald.Run, error)
}

// Events hears of every change the service saves (the one sink the admin
// chats, the scheduler and metrics subscribe to). Publish must return
// quickly.
type Events interface {
	Publish(ctx context.Context, e herald.Event)
}

// Options configure a Service. Store is required.
type Options struct {
	Store Store
	// Runs is the dispatcher. Nil (tests, tools without one): controls
	// change what is stored by the same rules (herald.Control.Apply), and
	// nothing can be retried.
	Runs   Runs
	Events Events // nil: nobody hears
	// MinLeadTime is how far ahead a scheduled time must be (default 5m).
	MinLeadTime time.Duration
	// UndoDelay is how long "send now" waits (default 60s).
	UndoDelay time.Duration
	// ApprovalThreshold: audiences larger than this need a second admin
	// (0: never).
	ApprovalThreshold int
	// Quota reads LINE's monthly quota: a broadcast that would run over
	// it is refused at submit (nil: not checked).
	Quota herald.QuotaReader
	// Location is the bot's timezone (default UTC), for cron schedules
	// without CRON_TZ.
	Location *time.Location
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service changes broadcasts. It is safe for concurrent use.
type Service struct {
	opts Options
	// decide makes approvals and rejections take turns from decision to
	// audit: a second approver at the same moment reads who was first.
	decide sync.Mutex
}

// New checks opts and fills defaults.
func New(opts Options) (*Service, error) {
	if opts.Store == nil {
		return nil, errors.New("broadcasts: Store is required")
	}
	if opts.MinLeadTime <= 0 {
		opts.MinLeadTime = 5 * time.Minute
	}
	if opts.UndoDelay <= 0 {
		opts.UndoDelay = time.Minute
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts}, nil
}

// Errors the doors translate into words or status codes.
var (
	// ErrNotPending: an approval or rejection of a broadcast that no
	// longer waits for one (decided, edited or canceled meanwhile).
	ErrNotPending = errors.New("broadcasts: not waiting for approval")
	// ErrOwnBroadcast: the two-person rule; nobody approves or rejects a
	// broadcast they made or last changed.
	ErrOwnBroadcast = errors.New("broadcasts: own broadcast")
	// ErrStarted: a broadcast that has sent (or is sending) cannot be
	// edited or deleted; clone or cancel it instead.
	ErrStarted = errors.New("broadcasts: already started")
	// ErrNoDispatcher: retrying needs the dispatcher.
	ErrNoDispatcher = errors.New("broadcasts: no dispatcher")
	// ErrNothingToRetry: the last run failed nobody who can be retried.
	ErrNothingToRetry = errors.New("broadcasts: no failed recipients to retry")
)

// Actor is who acts and where: "frontend:user" (or "api:<token>") and the
// chat they act in, named in events so the chats can tell others.
type Actor struct {
	Key   string
	Where herald.Origin
}

// audit records a change; a failure is logged, not returned, because the
// change itself already happened.
func (s *Service) audit(actor, action, target, detail string) {
	err := s.opts.Store.Audit(herald.AuditEntry{At: s.opts.Now(), Actor: actor, Action: action, Target: target, Detail: detail})
	if err != nil {
		s.opts.Logger.Error("broadcasts: audit", "action", action, "target", target, "error", err)
	}
}

// publish tells the sink, if any.
func (s *Service) publish(ctx context.Context, e herald.Event) {
	if s.opts.Events != nil {
		s.opts.Events.Publish(ctx, e)
	}
}

// changed audits and publishes one saved change.
func (s *Service) changed(ctx context.Context, who Actor, action, detail string, e herald.BroadcastChanged) {
	s.audit(who.Key, "broadcast."+action, e.Broadcast.ID, detail)
	e.Action, e.Actor, e.Where = action, who.Key, who.Where
	s.publish(ctx, e)
}

func wrap(what, id string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("broadcasts: %s %s: %w", what, id, err)
}
