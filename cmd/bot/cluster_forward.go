package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/sequences"
	"github.com/heraldbot/herald/storage/postgres"
)

// A forwarded message between the instances of one deployment, on one
// LISTEN/NOTIFY channel (postgres.Store.Forward). What needs the instance
// that sends (holding leaseDispatch) is asked of it there: a run control
// (pause, resume, cancel, retry), a re-plan of the schedule, a kick of
// the sequences loop. LISTEN/NOTIFY because it wakes the holder at once
// with nothing to poll; a message lost while the holder reconnects is
// made good by its periodic sweep (re-plan, resume) or, for a control,
// by the asker's timeout and a clear error.
type forwarded struct {
	// Op is what to do: pause, resume, cancel, retry (answered), changed,
	// kick or release (not answered); an answer has Reply set instead.
	Op string `json:"op,omitempty"`
	// Broadcast is the broadcast's ID (release: the subscriber's key).
	Broadcast string `json:"b,omitempty"`
	Actor     string `json:"actor,omitempty"`
	// ID matches an answer to its question.
	ID    string `json:"id,omitempty"`
	Reply string `json:"reply,omitempty"`
	// The answer: the broadcast's status before the control, the run a
	// retry made, and the error (Kind: a herald error the asker rebuilds).
	From  herald.Status `json:"from,omitempty"`
	Run   string        `json:"run,omitempty"`
	Kind  string        `json:"kind,omitempty"`
	Error string        `json:"error,omitempty"`
}

// forwardWait is how long a control waits for the sending instance's
// answer: long enough for a takeover (the new holder answers once it has
// the lease and listens).
func forwardWait(ttl time.Duration) time.Duration { return ttl + 5*time.Second }

// errNoSender is a control no instance answered.
var errNoSender = errors.New("no instance is sending right now")

// The herald errors a control's answer can carry, by name.
var forwardKinds = map[string]error{
	"invalid_transition": herald.ErrInvalidTransition,
	"conflict":           herald.ErrConflict,
	"not_found":          herald.ErrNotFound,
}

func errKind(err error) string {
	for k, e := range forwardKinds {
		if errors.Is(err, e) {
			return k
		}
	}
	return "other"
}

// clusterRuns is broadcasts.Runs for an instance of a deployment: the
// instance that holds leaseDispatch runs the control on its own dispatch
// engine; any other asks the holder and waits for its answer. Dispatch
// itself never knows there are several instances.
type clusterRuns struct {
	local *dispatch.Engine
	store *postgres.Store
	held  func() bool
	wait  time.Duration

	mu      sync.Mutex
	waiting map[string]chan forwarded
}

var (
	_ broadcasts.Runs = (*clusterRuns)(nil)
	_ sequences.Runs  = (*clusterRuns)(nil)
)

// Start starts a sequence step's run: only the sending instance runs the
// sequences loop that asks; another refuses rather than send.
func (c *clusterRuns) Start(ctx context.Context, id string) (herald.Run, error) {
	if !c.held() {
		return herald.Run{}, fmt.Errorf("start %s: %w (this instance does not hold the sending)", id, errNoSender)
	}
	return c.local.Start(ctx, id)
}

// Release sends what running broadcasts held for a subscriber whose
// operator chat closed (the API's Releaser), on the instance whose runs
// hold them.
func (c *clusterRuns) Release(ctx context.Context, key herald.SubscriberKey) error {
	if c.held() {
		return c.local.Release(ctx, key)
	}
	data, _ := json.Marshal(forwarded{Op: "release", Broadcast: key.String()})
	return c.store.Forward(ctx, string(data))
}

func (c *clusterRuns) Pause(ctx context.Context, id, actor string) (herald.Change, error) {
	return c.control(ctx, "pause", id, actor)
}

func (c *clusterRuns) Resume(ctx context.Context, id, actor string) (herald.Change, error) {
	return c.control(ctx, "resume", id, actor)
}

func (c *clusterRuns) Cancel(ctx context.Context, id, actor string) (herald.Change, error) {
	return c.control(ctx, "cancel", id, actor)
}

func (c *clusterRuns) RetryFailed(ctx context.Context, id, actor string) (herald.Run, error) {
	if c.held() {
		return c.local.RetryFailed(ctx, id, actor)
	}
	ans, err := c.ask(ctx, forwarded{Op: "retry", Broadcast: id, Actor: actor})
	if err != nil {
		return herald.Run{}, err
	}
	return c.store.Run(ans.Run)
}

func (c *clusterRuns) control(ctx context.Context, op, id, actor string) (herald.Change, error) {
	if c.held() {
		return c.apply(ctx, op, id, actor)
	}
	ans, err := c.ask(ctx, forwarded{Op: op, Broadcast: id, Actor: actor})
	if err != nil {
		return herald.Change{}, err
	}
	b, err := c.store.Broadcast(id)
	return herald.Change{Broadcast: b, From: ans.From}, err
}

// apply runs a control on this instance's engine.
func (c *clusterRuns) apply(ctx context.Context, op, id, actor string) (herald.Change, error) {
	do := map[string]func(context.Context, string, string) (herald.Change, error){
		"pause": c.local.Pause, "resume": c.local.Resume, "cancel": c.local.Cancel}[op]
	return do(ctx, id, actor)
}

// ask forwards q to the holder and waits for its answer.
func (c *clusterRuns) ask(ctx context.Context, q forwarded) (forwarded, error) {
	q.ID = rand.Text()
	ch := make(chan forwarded, 1)
	c.mu.Lock()
	c.waiting[q.ID] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, q.ID)
		c.mu.Unlock()
	}()
	data, _ := json.Marshal(q)
	if err := c.store.Forward(ctx, string(data)); err != nil {
		return forwarded{}, err
	}
	t := time.NewTimer(c.wait)
	defer t.Stop()
	select {
	case ans := <-ch:
		if ans.Kind == "" {
			return ans, nil
		}
		if e, ok := forwardKinds[ans.Kind]; ok {
			return ans, fmt.Errorf("%s (on the sending instance): %w", ans.Error, e)
		}
		return ans, fmt.Errorf("on the sending instance: %s", ans.Error)
	case <-t.C:
		return forwarded{}, fmt.Errorf("%s %s: %w (the instance holding the sending did not answer within %s)", q.Op, q.Broadcast, errNoSender, c.wait)
	case <-ctx.Done():
		return forwarded{}, ctx.Err()
	}
}

// answered hands an answer to the control waiting for it, if it is this
// instance's. It never blocks: it runs on the listener, and a second
// answer to one question (its buffer full) is dropped.
func (c *clusterRuns) answered(a forwarded) {
	c.mu.Lock()
	ch := c.waiting[a.Reply]
	c.mu.Unlock()
	select {
	case ch <- a: // a nil ch (not this instance's question) never takes it
	default:
	}
}

// serve answers a control forwarded to this instance, the holder.
func (c *clusterRuns) serve(ctx context.Context, q forwarded) {
	ans := forwarded{Reply: q.ID}
	var err error
	if q.Op == "retry" {
		var run herald.Run
		run, err = c.local.RetryFailed(ctx, q.Broadcast, q.Actor)
		ans.Run = run.ID
	} else {
		var ch herald.Change
		ch, err = c.apply(ctx, q.Op, q.Broadcast, q.Actor)
		ans.From = ch.From
	}
	if err != nil {
		ans.Kind, ans.Error = errKind(err), err.Error()
	}
	data, _ := json.Marshal(ans)
	_ = c.store.Forward(ctx, string(data)) // a lost answer times out on the asker
}

// runControl is what the bot's parts need of the dispatch engine's runs:
// the engine itself with one instance, clusterRuns with several.
type runControl interface {
	broadcasts.Runs
	sequences.Runs
	Release(ctx context.Context, key herald.SubscriberKey) error
}

// runsFor is d, or with several instances the clusterRuns around it.
func (a *app) runsFor(d *dispatch.Engine) runControl {
	c := a.cluster
	if c == nil {
		return d
	}
	c.runs = &clusterRuns{local: d, store: c.store, held: c.sends, wait: forwardWait(c.ttl), waiting: map[string]chan forwarded{}}
	return c.runs
}
