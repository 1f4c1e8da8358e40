package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald/storage/postgres"
)

// The leases of a deployment of several instances (README "Running
// several instances"): each names work that must run on one instance at
// a time.
const (
	// leaseDispatch: sending (runs, their recovery), the scheduler, the
	// sequences loop, retention and report follow-ups.
	leaseDispatch = "dispatch"
	// leaseTelegramPoll: the Telegram bot's long polling (getUpdates
	// answers one poller per token).
	leaseTelegramPoll = "telegram-poll"
)

// leaseKeeper holds one lease for this instance: a standby tries to take
// it every ttl/3 (and at once when the holder releases it); the holder
// renews it every ttl/3. Holding it, the instance runs work; when a
// renewal cannot be made before the lease would expire, lost is called at
// once, so that work stops before another instance may start it.
type leaseKeeper struct {
	store  *postgres.Store
	name   string
	holder string
	ttl    time.Duration
	log    *slog.Logger
	// work starts the leased work once the lease is taken (and returns);
	// its ctx ends when the lease may have gone to another instance, and
	// lost, if set, is called then too.
	work func(ctx context.Context)
	lost func()
	// final: a lost lease is not taken again (the work cannot restart).
	final bool

	mu    sync.Mutex
	lease postgres.Lease // Term 0: not held
	// working: the lease is held (and its work started or starting): held.
	working bool
	wake    chan struct{}
}

func newLeaseKeeper(store *postgres.Store, name, holder string, ttl time.Duration, log *slog.Logger) *leaseKeeper {
	return &leaseKeeper{store: store, name: name, holder: holder, ttl: ttl, log: log.With("lease", name), wake: make(chan struct{}, 1)}
}

// held reports whether this instance holds the lease now, its work
// started.
func (k *leaseKeeper) held() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.working
}

// released wakes a standby when another instance released the lease.
func (k *leaseKeeper) released() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// run takes and keeps the lease until ctx ends (it is not released then:
// release, after the work has stopped cleanly, does that). A lost lease
// is taken again when it is free again.
func (k *leaseKeeper) run(ctx context.Context) {
	for ctx.Err() == nil {
		asked := time.Now()
		l, err := k.store.AcquireLease(ctx, k.name, k.holder, k.ttl)
		if err == nil {
			// Held from here on, before the work starts: the work may
			// already be running (and /healthz asked) when work returns.
			k.mu.Lock()
			k.lease, k.working = l, true
			k.mu.Unlock()
			k.log.Info("lease taken: this instance does the work now", "term", l.Term)
			wctx, stop := context.WithCancel(ctx)
			k.work(wctx)
			if k.keep(ctx, asked.Add(l.Left), stop) && k.final {
				return
			}
			continue
		}
		if !errors.Is(err, postgres.ErrLeaseHeld) && ctx.Err() == nil {
			k.log.Warn("cannot take the lease", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-k.wake:
		case <-time.After(k.ttl / 3):
		}
	}
}

// keep renews the lease every ttl/3 (every second after a failure) until
// ctx ends or it is lost (then it returns true). expires is when the lease ends by this
// instance's clock, counted from before each renewal was asked for, so it
// is never later than the database's own expiry.
func (k *leaseKeeper) keep(ctx context.Context, expires time.Time, stop context.CancelFunc) (lost bool) {
	next := k.ttl / 3
	// The work stops a tenth of the ttl before the lease ends, so it has
	// stopped by the time another instance may take the lease.
	margin := k.ttl / 10
	for {
		deadline := time.NewTimer(time.Until(expires) - margin)
		select {
		case <-ctx.Done():
			deadline.Stop()
			stop()
			return false
		case <-deadline.C:
			k.lose("lease expired before a renewal went through", stop)
			return true
		case <-time.After(next):
			deadline.Stop()
		}
		k.mu.Lock()
		l := k.lease
		k.mu.Unlock()
		asked := time.Now()
		// A renewal that hangs (a network partition) must not outlive the
		// lease: past its expiry the work stops, answered or not.
		rctx, cancel := context.WithDeadline(ctx, expires.Add(-margin))
		renewed, err := k.store.RenewLease(rctx, l, k.ttl)
		cancel()
		switch {
		case errors.Is(err, postgres.ErrLeaseLost):
			k.lose("lease lost: another instance took it", stop)
			return true
		case err != nil:
			if ctx.Err() != nil {
				stop()
				return false
			}
			k.log.Warn("cannot renew the lease; trying again", "error", err, "left", time.Until(expires).Round(time.Millisecond))
			next = min(time.Second, k.ttl/3)
			continue
		}
		k.mu.Lock()
		k.lease = renewed
		k.mu.Unlock()
		expires, next = asked.Add(renewed.Left), k.ttl/3
	}
}

// lose stops the work at once: another instance may be starting it.
func (k *leaseKeeper) lose(why string, stop context.CancelFunc) {
	k.mu.Lock()
	k.lease, k.working = postgres.Lease{}, false
	k.mu.Unlock()
	k.log.Error(why + ": stopping its work now")
	stop()
	if k.lost != nil {
		k.lost()
	}
}

// release gives the lease up (a clean shutdown), so a standby takes the
// work at once.
func (k *leaseKeeper) release(ctx context.Context) error {
	k.mu.Lock()
	l := k.lease
	k.lease, k.working = postgres.Lease{}, false
	k.mu.Unlock()
	if l.Term == 0 {
		return nil
	}
	return k.store.ReleaseLease(ctx, l)
}

// poll runs a Telegram long poll until ctx ends; with several instances,
// only on the one holding leaseTelegramPoll (Telegram answers one
// getUpdates per bot token at a time), started by startPolls.
func (a *app) poll(ctx context.Context, polling *sync.WaitGroup, poll func(context.Context) error) {
	if a.cluster == nil {
		polling.Go(func() { _ = poll(ctx) })
		return
	}
	a.cluster.polls = append(a.cluster.polls, poll)
}

// startPolls takes part in leaseTelegramPoll when this instance has polls
// to run: whichever instance holds it polls for every Telegram bot.
func (a *app) startPolls(ctx context.Context, polling *sync.WaitGroup) {
	c := a.cluster
	if c == nil || len(c.polls) == 0 {
		return
	}
	c.poll = newLeaseKeeper(c.store, leaseTelegramPoll, c.holder, c.ttl, a.logger)
	c.poll.work = func(wctx context.Context) {
		for _, poll := range c.polls {
			polling.Go(func() { _ = poll(wctx) })
		}
	}
	polling.Go(func() { c.poll.run(ctx) })
}

// releasePolls hands leaseTelegramPoll over at shutdown, once the polls
// stopped.
func (a *app) releasePolls(ctx context.Context) error {
	if a.cluster == nil || a.cluster.poll == nil {
		return nil
	}
	return a.cluster.poll.release(ctx)
}
