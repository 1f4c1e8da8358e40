package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/postgres"
)

// cluster is this instance's part in a deployment of several instances on
// one PostgreSQL database (README "Running several instances"). Every
// instance serves HTTP (webhooks, the API, health, metrics) and the admin
// chats; the instance holding leaseDispatch sends, fires the schedule and
// runs the sequences; the one holding leaseTelegramPoll polls Telegram.
// With bbolt there is none (app.cluster is nil) and one process does
// everything, as before.
type cluster struct {
	name string
	// holder is who holds this instance's leases: its name and a random
	// part, so that two instances given one name by mistake never both
	// take a lease as "the same holder".
	holder string
	ttl    time.Duration
	store  *postgres.Store

	dispatch *leaseKeeper
	poll     *leaseKeeper // nil until a Telegram poll is wired
	runs     *clusterRuns
	polls    []func(ctx context.Context) error

	lostOnce sync.Once
	lost     chan struct{} // closed when leaseDispatch is lost: the process stops
	// started: runs this instance started or resumed, for the audit log.
	mu      sync.Mutex
	started map[string]bool
}

// sweepEvery is how often the holder re-reads what it might have missed
// (a forwarded message lost while it reconnected): runs to resume,
// broadcasts to plan, sequence steps due.
const sweepEvery = 30 * time.Second

func newCluster(name string, ttl time.Duration, store *postgres.Store, logger *slog.Logger) *cluster {
	c := &cluster{name: name, holder: name + "/" + rand.Text()[:8], ttl: ttl, store: store,
		lost: make(chan struct{}), started: map[string]bool{}}
	c.dispatch = newLeaseKeeper(store, leaseDispatch, c.holder, c.ttl, logger)
	c.dispatch.final = true // dispatch.Engine cannot restart: the process stops instead
	return c
}

// sends reports whether this instance holds the sending now.
func (c *cluster) sends() bool { return c.dispatch.held() }

// leases are the leases this instance holds now, for /healthz.
func (c *cluster) leases() []string {
	held := []string{}
	for _, k := range []*leaseKeeper{c.dispatch, c.poll} {
		if k != nil && k.held() {
			held = append(held, k.name)
		}
	}
	return held
}

// listen hears the other instances: released leases, and forwarded work
// (answered by the holder; answers to this instance's questions).
func (a *app) listenCluster(ctx context.Context) {
	c, p := a.cluster, a.parts
	p.bg.Go(func() {
		c.store.ListenLeases(ctx, func(name string) {
			for _, k := range []*leaseKeeper{c.dispatch, c.poll} {
				if k != nil && k.name == name {
					k.released()
				}
			}
		})
	})
	p.bg.Go(func() {
		c.store.ListenForwarded(ctx, func(payload string) {
			var m forwarded
			if json.Unmarshal([]byte(payload), &m) != nil {
				return
			}
			if m.Reply != "" {
				c.runs.answered(m)
				return
			}
			if !c.sends() {
				return
			}
			switch m.Op {
			case "changed":
				p.sched.Changed(ctx, m.Broadcast)
			case "kick":
				p.sequences.Kick()
			case "release":
				if key, err := herald.ParseSubscriberKey(m.Broadcast); err == nil {
					go func() { _ = p.dispatch.Release(ctx, key) }()
				}
			case "pause", "resume", "cancel", "retry":
				go c.runs.serve(ctx, m)
			}
		})
	})
}

// forward tells the holder of the sending about work it must notice;
// best effort (its sweep makes good a lost one).
func (c *cluster) forward(op, id string) {
	data, _ := json.Marshal(forwarded{Op: op, Broadcast: id})
	_ = c.store.Forward(context.Background(), string(data))
}

// Publish is the cluster subscribing to the events sink: a change made on
// an instance that does not send is forwarded, so the sending instance's
// scheduler plans it; on the sending instance, the audit log records
// which instance started (or took over) and finished each run.
func (c *cluster) Publish(ctx context.Context, e herald.Event) {
	switch e := e.(type) {
	case herald.BroadcastChanged:
		if !c.sends() {
			c.forward("changed", e.Broadcast.ID)
		}
	case herald.RunProgress:
		c.mu.Lock()
		first := !c.started[e.Progress.RunID]
		c.started[e.Progress.RunID] = true
		c.mu.Unlock()
		if first {
			c.audit("broadcast.run_sending", e.Progress.BroadcastID)
		}
	case herald.RunFinished:
		c.mu.Lock()
		delete(c.started, e.Report.RunID)
		c.mu.Unlock()
		c.audit("broadcast.run_ended", e.Report.BroadcastID)
	}
}

func (c *cluster) audit(action, id string) {
	_ = c.store.Audit(herald.AuditEntry{At: time.Now(), Actor: "system", Action: action, Target: id, Detail: "instance " + c.name})
}

// sequenceNotes wakes the sequences loop where it runs.
func (c *cluster) sequenceNotes(kick func()) func() {
	return func() {
		if c.sends() {
			kick()
			return
		}
		c.forward("kick", "")
	}
}

// lostSending stops this instance's sending at once when leaseDispatch may
// have gone to another instance: every run stops, in-flight sends are
// abandoned (their recipients stay in flight, for the next holder to
// settle), and the process stops so that its supervisor starts it again
// as a standby.
func (a *app) lostSending() {
	c := a.cluster
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = a.parts.dispatch.Shutdown(ctx)
	c.lostOnce.Do(func() { close(c.lost) })
}

// instance is this instance's name in a deployment of several; "" with
// bbolt.
func (a *app) instance() string {
	if a.cluster == nil {
		return ""
	}
	return a.cluster.name
}

// lostLease is closed when this instance lost the sending (never with
// bbolt).
func (a *app) lostLease() <-chan struct{} {
	if a.cluster == nil {
		return nil
	}
	return a.cluster.lost
}

// errLostLease is serve's exit when the sending was lost.
var errLostLease = errors.New("this instance lost the sending lease (the database was unreachable for cluster.lease_ttl, or another instance took it): stopped sending and exiting, to start again as a standby")

// lead is what the holder of leaseDispatch runs, from the moment it takes
// the lease: it resumes the unfinished runs (a previous holder's), plans
// the schedule, and starts the scheduler, the sequences loop and the
// sweep. They stop with ctx (the lease lost, or shutdown).
func (a *app) lead(ctx context.Context) {
	p := a.parts
	p.fe.Reporter.Reload() // the previous holder's progress messages are edited, not posted again
	if err := a.logResumed(a.resume(ctx)); err != nil {
		a.logger.Error("resume unfinished runs", "error", err)
	}
	if err := p.sched.Load(ctx); err != nil {
		a.logger.Error("load schedule", "error", err)
	}
	p.bg.Go(func() { _ = p.sched.Run(ctx) })
	p.bg.Go(func() { _ = p.sequences.Run(ctx) })
	p.bg.Go(func() { _ = p.fe.Reporter.Run(ctx) }) // progress, unshown reports, follow-ups
	p.bg.Go(func() { a.sweep(ctx) })
}

// sweep re-reads, every sweepEvery, what a lost forwarded message would
// have said: runs to resume, broadcasts to plan, steps due.
func (a *app) sweep(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-t.C:
			a.sweepOnce(ctx)
		}
	}
}

func (a *app) sweepOnce(ctx context.Context) {
	p := a.parts
	if _, err := a.resume(ctx); err != nil { // mostly finds the runs going
		a.logger.Warn("sweep: resume runs", "error", err)
	}
	scheduled, err := a.store.ListBroadcasts(herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusScheduled}})
	if err != nil {
		a.logger.Warn("sweep: list scheduled", "error", err)
	}
	for i := range scheduled {
		p.sched.Replan(ctx, &scheduled[i])
	}
	p.sequences.Kick()
}
