package schedule

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// Store is what the scheduler reads and writes; *storage.Store has it.
type Store interface {
	ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error)
	Broadcast(id string) (herald.Broadcast, error)
	UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error)
	DeleteBroadcast(id string) error
	// PruneStepRuns deletes sequence step runs finished before cutoff,
	// keeping their counts.
	PruneStepRuns(cutoff time.Time) (int, error)
	Audit(e herald.AuditEntry) error
}

// Starter starts a run of a broadcast; the dispatch engine is one.
type Starter interface {
	Start(ctx context.Context, broadcastID string) (herald.Run, error)
}

// Events hears of timing events (the one sink the admin chats subscribe
// to): herald.HeadsUp before a broadcast goes out, herald.Missed for one
// due while Herald was down and not sent (a one-off is paused, waiting for
// Send now, reschedule or cancel), herald.StartFailed for one due whose
// run could not start (held or skipped alike). Nil logs only.
type Events interface {
	Publish(ctx context.Context, e herald.Event)
}

// Tests runs A/B tests' own moments; the broadcasts service is one.
// StartVariants makes a test's variants B.. as it starts (and sets when it
// is decided); DecideTest picks the winner at that time. Both are safe to
// call again after a restart.
type Tests interface {
	StartVariants(ctx context.Context, id string) (herald.Broadcast, error)
	DecideTest(ctx context.Context, id string) error
}

// Options tune the scheduler; zero values take the defaults in brackets.
type Options struct {
	Tests       Tests          // A/B tests' variants and decisions [a test sends A only]
	Location    *time.Location // the bot's timezone [UTC]
	MissedGrace time.Duration  // send late by at most this [15m]
	HeadsUp     time.Duration  // warn the origin chat this long before [off]
	Retention   time.Duration  // delete finished broadcasts older than this [off]
	Now         func() time.Time
	Logger      *slog.Logger
}

// Scheduler fires broadcasts at their time. It keeps one timer set to the
// earliest due moment (no polling loop scanning everything), rebuilt from
// storage at Load and updated by Changed.
type Scheduler struct {
	store   Store
	starter Starter
	events  Events
	opts    Options
	log     *slog.Logger

	mu      sync.Mutex
	queue   timeline
	version map[string]int // broadcast ID → current plan; stale entries are skipped
	wake    chan struct{}
}

// New returns a scheduler; call Load, then Run.
func New(store Store, starter Starter, events Events, opts Options) *Scheduler {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.MissedGrace <= 0 {
		opts.MissedGrace = 15 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{store: store, starter: starter, events: events, opts: opts,
		log: opts.Logger, version: map[string]int{}, wake: make(chan struct{}, 1)}
}

// entry kinds on the timeline.
const (
	actFire = iota
	actHeadsUp
	actRetention
	actDecide
)

type entry struct {
	at      time.Time
	id      string
	act     int
	version int
}

// timeline is a min-heap of entries by time.
type timeline []entry

func (t timeline) Len() int           { return len(t) }
func (t timeline) Less(i, j int) bool { return t[i].at.Before(t[j].at) }
func (t timeline) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *timeline) Push(x any)        { *t = append(*t, x.(entry)) }
func (t *timeline) Pop() any {
	old := *t
	e := old[len(old)-1]
	*t = old[:len(old)-1]
	return e
}

// Load plans every scheduled broadcast from storage (after a start or a
// restart) and the daily retention job.
func (s *Scheduler) Load(ctx context.Context) error {
	bs, err := s.store.ListBroadcasts(herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusScheduled}})
	if err != nil {
		return fmt.Errorf("schedule: load: %w", err)
	}
	for i := range bs {
		s.plan(ctx, &bs[i], true)
	}
	// A/B tests that went out and wait for their winner.
	tests, err := s.store.ListBroadcasts(herald.BroadcastQuery{Statuses: []herald.Status{
		herald.StatusSending, herald.StatusPaused, herald.StatusCompleted, herald.StatusCanceled, herald.StatusFailed}})
	if err != nil {
		return fmt.Errorf("schedule: load tests: %w", err)
	}
	for i := range tests {
		if tests[i].Test.Pending() {
			s.plan(ctx, &tests[i], true)
		}
	}
	if s.opts.Retention > 0 {
		s.push(entry{at: s.opts.Now(), act: actRetention})
	}
	return nil
}

// Publish is the scheduler subscribing to the events sink: a broadcast the
// service changed, or whose run finished (a recurring one is scheduled
// again), is planned again.
func (s *Scheduler) Publish(ctx context.Context, e herald.Event) {
	switch e := e.(type) {
	case herald.BroadcastChanged:
		s.Changed(ctx, e.Broadcast.ID)
	case herald.RunFinished:
		s.Changed(ctx, e.Report.BroadcastID)
	}
}

// Changed re-plans one broadcast after it was scheduled, edited, paused,
// resumed or canceled anywhere (flows, the API, dispatch).
func (s *Scheduler) Changed(ctx context.Context, id string) {
	b, err := s.store.Broadcast(id)
	if errors.Is(err, herald.ErrNotFound) {
		s.forget(id)
		return
	}
	if err != nil {
		s.log.Error("schedule: re-plan", "broadcast_id", id, "error", err)
		return
	}
	s.Replan(ctx, &b)
}

// Replan is Changed for a broadcast the caller has just read (a sweep
// over every scheduled one need not read each again).
func (s *Scheduler) Replan(ctx context.Context, b *herald.Broadcast) {
	s.plan(ctx, b, false)
}

// plan puts a broadcast's next moments on the timeline, replacing older ones.
func (s *Scheduler) plan(ctx context.Context, b *herald.Broadcast, startup bool) {
	v := s.forget(b.ID)
	if t := b.Test; s.opts.Tests != nil && t.Pending() && !t.DecideAt.IsZero() {
		s.push(entry{at: t.DecideAt, id: b.ID, act: actDecide, version: v})
	}
	if b.Status != herald.StatusScheduled {
		return
	}
	now := s.opts.Now()
	at, err := s.dueAt(ctx, b, now, startup)
	if err != nil {
		s.log.Error("schedule: plan", "broadcast_id", b.ID, "error", err)
		return
	}
	if at.IsZero() {
		return
	}
	s.push(entry{at: at, id: b.ID, act: actFire, version: v})
	if h := s.opts.HeadsUp; h > 0 && at.Add(-h).After(now) {
		s.push(entry{at: at.Add(-h), id: b.ID, act: actHeadsUp, version: v})
	}
}

// dueAt is when b fires. A recurring broadcast's next occurrence is kept in
// Schedule.Next; occurrences that passed while it was paused are skipped,
// and ones missed while Herald was down are reported.
func (s *Scheduler) dueAt(ctx context.Context, b *herald.Broadcast, now time.Time, startup bool) (time.Time, error) {
	if b.Schedule.Kind != herald.SendRecurring {
		return FirstFire(&b.Schedule, now, s.opts.Location)
	}
	next := b.Schedule.Next
	if !next.IsZero() && now.Sub(next) <= s.opts.MissedGrace {
		return next, nil
	}
	fresh, ok, err := NextOccurrence(&b.Schedule, now, b.Runs, s.opts.Location)
	if err != nil {
		return time.Time{}, err
	}
	if !next.IsZero() && startup && s.events != nil {
		s.events.Publish(ctx, herald.Missed{Broadcast: *b, Late: now.Sub(next)})
	}
	if !ok {
		s.finish(b.ID)
		return time.Time{}, nil
	}
	if _, err := s.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Schedule.Next = fresh
		return nil
	}); err != nil {
		return time.Time{}, err
	}
	return fresh, nil
}

// forget drops a broadcast's planned moments and returns the new plan version.
func (s *Scheduler) forget(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version[id]++
	return s.version[id]
}

func (s *Scheduler) push(e entry) {
	s.mu.Lock()
	heap.Push(&s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// next is the earliest planned moment (zero when nothing is planned).
func (s *Scheduler) next() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return time.Time{}
	}
	return s.queue[0].at
}

// Run fires broadcasts until ctx ends. It sleeps until the earliest planned
// moment, so an idle scheduler with thousands of broadcasts costs nothing.
func (s *Scheduler) Run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := time.Hour
		if at := s.next(); !at.IsZero() {
			wait = max(at.Sub(s.opts.Now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer.C:
		}
		s.Tick(ctx, s.opts.Now())
	}
}

// Tick does everything due at or before now. Run calls it; tests call it
// with an injected clock instead of sleeping.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.queue[0].at.After(now) {
			s.mu.Unlock()
			return
		}
		e := heap.Pop(&s.queue).(entry)
		stale := e.act != actRetention && s.version[e.id] != e.version
		s.mu.Unlock()
		if stale {
			continue
		}
		switch e.act {
		case actFire:
			s.fire(ctx, e, now)
		case actHeadsUp:
			s.headsUp(ctx, e)
		case actDecide:
			s.decide(ctx, e)
		case actRetention:
			s.retain(now)
			s.push(entry{at: now.Add(24 * time.Hour), act: actRetention})
		}
	}
}
