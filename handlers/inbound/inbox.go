package inbound

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/metrics"
)

// Store is what the Inbox needs of storage.
type Store interface {
	// RecordInbound applies a batch of events in one transaction: event i,
	// unless its ID ids[i] was recorded lately (repeat[i]), changes the
	// subscriber keys[i] (zero: none) through fn(i, …) and counts taps[i]
	// (zero: none). An error from fn aborts it.
	RecordInbound(ids []string, keys []herald.SubscriberKey, taps []herald.Tap,
		fn func(i int, sub *herald.Subscriber, created bool) error) (repeat []bool, err error)
	// Broadcast returns a broadcast or herald.ErrNotFound (to resolve taps).
	Broadcast(id string) (herald.Broadcast, error)
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("inbound: inbox is closed")

// Options tune an Inbox; zero values get defaults.
type Options struct {
	Keywords *Keywords // DefaultKeywords when nil
	Now      func() time.Time
	Logger   *slog.Logger
	Metrics  *metrics.Metrics
	// MaxBatch caps the events written per transaction (default 2000).
	MaxBatch int
	// FollowupWorkers and FollowupQueue size the pool that runs best-effort
	// work after an event is durable: profile fetches, confirmations, flows
	// (defaults 4 and 4096). When the queue is full the work is dropped and
	// counted, never the event.
	FollowupWorkers int
	FollowupQueue   int
	// Direct answers /testme codes and /whoami (nil: nobody does).
	Direct Direct
}

// Inbox records end-user events. Writes are group-committed: while one
// transaction runs, new events queue up and go into the next one together,
// so a burst of 10,000 follows costs tens of transactions, not 10,000.
// Record returns only after its events are committed: the caller
// acknowledges the platform then, and a crash before that makes the
// platform redeliver rather than lose the event.
type Inbox struct {
	store    Store
	keywords *Keywords
	direct   Direct
	now      func() time.Time
	log      *slog.Logger
	metrics  *metrics.Metrics
	maxBatch int

	mu          sync.RWMutex // guards the flags against sends on closed channels
	closed      bool         // no more events
	laterClosed bool         // no more follow-ups
	jobs        chan *job
	done        chan struct{} // closed when the writer has drained jobs

	later     []chan func(context.Context) // one FIFO queue per worker
	laterCtx  context.Context
	laterStop context.CancelFunc
	laterWG   sync.WaitGroup
}

// New starts an Inbox writing to store. Close it to drain.
func New(store Store, opts Options) *Inbox {
	if opts.Keywords == nil {
		opts.Keywords = NewKeywords(nil)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 2000
	}
	if opts.FollowupWorkers <= 0 {
		opts.FollowupWorkers = 4
	}
	if opts.FollowupQueue <= 0 {
		opts.FollowupQueue = 4096
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &Inbox{
		store: store, keywords: opts.Keywords, direct: opts.Direct, now: opts.Now, log: opts.Logger,
		metrics: opts.Metrics, maxBatch: opts.MaxBatch,
		jobs:     make(chan *job, 4096),
		done:     make(chan struct{}),
		laterCtx: ctx, laterStop: cancel,
	}
	go in.writeLoop()
	for range opts.FollowupWorkers {
		q := make(chan func(context.Context), max(1, opts.FollowupQueue/opts.FollowupWorkers))
		in.later = append(in.later, q)
		in.laterWG.Add(1)
		go in.followupLoop(q)
	}
	return in
}

// Keywords are the inbox's subscription keywords (for handlers that answer
// /stop themselves in the user's language).
func (in *Inbox) Keywords() *Keywords { return in.keywords }

// Later runs fn on the follow-up pool after the caller returns: best-effort
// work such as a profile fetch or a confirmation message. Work with the
// same key (a chat) runs in the order given, so a welcome never arrives
// after the stop confirmation that followed it. It reports false when the
// pool is full or closed and fn was dropped.
func (in *Inbox) Later(key string, fn func(ctx context.Context)) bool {
	in.mu.RLock()
	defer in.mu.RUnlock()
	if in.laterClosed {
		return false
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	select {
	case in.later[h.Sum32()%uint32(len(in.later))] <- fn:
		return true
	default:
		in.metrics.FollowupDropped()
		return false
	}
}

// job is one Record call waiting for its commit.
type job struct {
	evs     []Event
	buttons []*herald.Button // the resolved button of each tap, else nil
	taps    []*herald.Tap
	results []Result
	err     error
	done    chan struct{}
}

// Record applies events in order and returns once they are committed, with
// one Result per event. Message texts that are keywords become Subscribe or
// Unsubscribe with a confirmation in Result.Reply. An event whose ID
// (Event.ID) was recorded in the last storage.SeenWindow is not applied
// again: its Result says Repeat.
func (in *Inbox) Record(ctx context.Context, evs ...Event) ([]Result, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	j := &job{evs: slices.Clone(evs), buttons: make([]*herald.Button, len(evs)),
		taps: make([]*herald.Tap, len(evs)), results: make([]Result, len(evs)), done: make(chan struct{})}
	keywordLocale, direct := make([]string, len(evs)), make([]string, len(evs))
	for i := range j.evs {
		ev := &j.evs[i]
		if err := ev.Validate(); err != nil {
			return nil, err
		}
		if ev.At.IsZero() {
			ev.At = in.now()
		}
		var err error
		if direct[i], err = in.answerDirect(ctx, ev); err != nil {
			return nil, err
		}
		if ev.Kind == Message && !ev.Group && ev.Text != "" && direct[i] == "" {
			if kind, locale, ok := in.keywords.Match(ev.Text); ok {
				ev.Kind, keywordLocale[i] = kind, locale
			}
		}
		if ev.Kind == Tap {
			j.buttons[i], j.taps[i] = in.resolveTap(ev)
			if j.taps[i] == nil && !ev.CountOnly {
				ev.Kind = Message // an unknown or stale button still counts as an interaction
			}
		}
	}
	if err := in.enqueue(ctx, j); err != nil {
		return nil, err
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("inbound: record: %w", ctx.Err())
	}
	if j.err != nil {
		return nil, j.err
	}
	for i := range j.evs {
		ev, res := &j.evs[i], &j.results[i]
		if res.Repeat { // applied when first delivered: nothing more to do
			res.Kind = ev.Kind
			in.metrics.InboundRepeat(string(ev.Key.Platform), ev.Key.Account)
			continue
		}
		res.Kind, res.Tap, res.Button = ev.Kind, j.taps[i], j.buttons[i]
		if keywordLocale[i] != "" {
			res.Reply = in.keywords.Reply(ev.Kind, res.Subscriber.Locale, ev.Locale, keywordLocale[i])
		}
		if direct[i] != "" {
			res.Reply = direct[i]
		}
		in.metrics.Inbound(string(ev.Key.Platform), ev.Key.Account, string(ev.Kind), 1)
	}
	return j.results, nil
}

// enqueue hands a job to the writer.
func (in *Inbox) enqueue(ctx context.Context, j *job) error {
	in.mu.RLock()
	defer in.mu.RUnlock()
	if in.closed {
		return ErrClosed
	}
	select {
	case in.jobs <- j:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("inbound: record: %w", ctx.Err())
	}
}

// resolveTap finds the action button a postback names. Taps on unknown
// broadcasts or buttons are not counted (the payload may be forged).
func (in *Inbox) resolveTap(ev *Event) (*herald.Button, *herald.Tap) {
	bid, buttonID, ok := herald.DecodePostback(ev.Postback)
	if !ok {
		return nil, nil
	}
	b, err := in.store.Broadcast(bid)
	if err != nil {
		if !errors.Is(err, herald.ErrNotFound) {
			in.log.Warn("inbound: look up tapped broadcast", "broadcast_id", bid, "error", err)
		}
		return nil, nil
	}
	for i := range b.Content.Buttons {
		if btn := &b.Content.Buttons[i]; btn.ID == buttonID && btn.Kind == herald.ActionButton {
			return btn, &herald.Tap{BroadcastID: bid, ButtonID: buttonID, Subscriber: ev.Key, At: ev.At}
		}
	}
	return nil, nil
}

// errSkipNew aborts a profile update that would create a subscriber.
var errSkipNew = errors.New("inbound: subscriber does not exist")

// UpdateProfile queues a subscriber's name and (if unknown) locale, learnt
// after the fact (LINE's profile fetch), without waiting for the commit:
// profiles fetched by a few workers then still share transactions. It never
// creates a subscriber, so a profile arriving after an erasure request does
// not bring the person back.
func (in *Inbox) UpdateProfile(ctx context.Context, key herald.SubscriberKey, name, locale string) error {
	ev := Event{Kind: Profile, Key: key, Name: name, Locale: locale, At: in.now()}
	if err := ev.Validate(); err != nil {
		return err
	}
	j := &job{evs: []Event{ev}, buttons: make([]*herald.Button, 1), taps: make([]*herald.Tap, 1),
		results: make([]Result, 1), done: make(chan struct{})}
	if err := in.enqueue(ctx, j); err != nil {
		return fmt.Errorf("inbound: update profile of %s: %w", key, err)
	}
	return nil
}

// Close lets queued follow-ups finish (until ctx ends; they may still
// record, e.g. a fetched profile), then stops taking events and commits
// those queued. Call it after the webhooks and the poller have stopped.
func (in *Inbox) Close(ctx context.Context) error {
	in.mu.Lock()
	first := !in.laterClosed
	if first {
		in.laterClosed = true
		for _, q := range in.later {
			close(q)
		}
	}
	in.mu.Unlock()
	finished := make(chan struct{})
	go func() { in.laterWG.Wait(); close(finished) }()
	var err error
	select {
	case <-finished:
	case <-ctx.Done():
		in.laterStop()
		<-finished
		err = fmt.Errorf("inbound: close: follow-ups cut short: %w", ctx.Err())
	}
	in.mu.Lock()
	if !in.closed {
		in.closed = true
		close(in.jobs)
	}
	in.mu.Unlock()
	<-in.done
	return err
}

func (in *Inbox) followupLoop(q chan func(context.Context)) {
	defer in.laterWG.Done()
	for fn := range q {
		fn(in.laterCtx)
	}
}

// cloneSubscriber copies sub deeply enough that later events in the same
// batch do not change a Result already taken.
func cloneSubscriber(sub *herald.Subscriber) herald.Subscriber {
	c := *sub
	c.Tags = slices.Clone(sub.Tags)
	c.Attributes = maps.Clone(sub.Attributes)
	return c
}
