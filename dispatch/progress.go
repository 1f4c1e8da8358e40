package dispatch

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// progress is a runner's live counts. Storage keeps the exact tally; this
// mirror spares a read per commit and adds what storage does not know
// (held and waiting recipients, the recent rate, the failure threshold's
// sample).
type progress struct {
	mu    sync.Mutex
	total int
	tally map[herald.Platform]herald.Tally
	// accounts are named accounts' tallies, keyed as Run.AccountTally.
	accounts    map[string]herald.Tally
	held        int
	heldDone    chan struct{}
	started     time.Time
	status      herald.RunStatus
	pauseReason string
	autoPause   *herald.AutoPause
	// since this runner started: the failure threshold's sample
	finished, failed int
	paused           bool
	rate             rateMeter
	// due counts pending recipients by the minute they may be sent
	// (NotBefore), once countWaiting has read them (dueKnown). Those whose
	// minute is ahead are waiting for their own time.
	due      map[int64]int
	dueKnown bool
}

func (p *progress) init(run *herald.Run, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.started, p.status = run.Total, run.StartedAt, herald.RunSending
	p.tally = make(map[herald.Platform]herald.Tally, len(run.Tally))
	for k, v := range run.Tally {
		p.tally[k] = v
	}
	p.accounts = maps.Clone(run.AccountTally)
	p.heldDone = make(chan struct{})
	p.rate.reset(now, p.doneLocked())
	p.due, p.dueKnown = nil, false
}

// add counts committed outcomes.
func (p *progress) add(ds []herald.Delivery, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range ds {
		p.countLocked(d, false)
	}
	p.rate.note(now, p.doneLocked())
}

// observe feeds the failure threshold as outcomes arrive (before their
// commit, so a failing run stops early) and returns why the run must
// pause, once.
func (p *progress) observe(ds []herald.Delivery, o *Options) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range ds {
		switch {
		case d.Outcome == herald.Held, d.Outcome == herald.Pending: // pending: parts done so far
			continue
		case d.Outcome == herald.Failed && d.Reason != herald.ReasonBlocked:
			p.failed++
		}
		p.finished++
	}
	if o.FailureThreshold > 0 && !p.paused && p.finished >= o.FailureMinSample &&
		float64(p.failed) > o.FailureThreshold*float64(p.finished) {
		p.paused = true
		p.autoPause = &herald.AutoPause{Failed: p.failed, Finished: p.finished, Threshold: o.FailureThreshold}
		return p.autoPause.String()
	}
	return ""
}

// released counts the outcome of a recipient who was held; it reports
// whether no recipient is held any more.
func (p *progress) released(d herald.Delivery) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.countLocked(d, true)
	return p.held <= 0
}

func (p *progress) countLocked(d herald.Delivery, fromHeld bool) {
	if d.Outcome == herald.Pending {
		return // the parts a waiting message sent so far (lane.go)
	}
	if fromHeld {
		p.held--
	}
	if d.Outcome == herald.Held {
		p.held++
	}
	p.tally[d.Recipient.Platform] = settle(p.tally[d.Recipient.Platform], d.Outcome, fromHeld)
	if d.Recipient.Account != "" {
		if p.accounts == nil {
			p.accounts = map[string]herald.Tally{}
		}
		k := d.Recipient.AccountOf().String()
		p.accounts[k] = settle(p.accounts[k], d.Outcome, fromHeld)
	}
}

// settle moves one recipient of t from pending (or held) to outcome o.
func settle(t herald.Tally, o herald.Outcome, fromHeld bool) herald.Tally {
	if !fromHeld {
		t.Pending--
	}
	switch o {
	case herald.Sent:
		t.Sent++
	case herald.Failed:
		t.Failed++
	case herald.Skipped:
		t.Skipped++
	}
	return t
}

func (p *progress) doneLocked() int {
	n := 0
	for _, t := range p.tally {
		n += t.Done()
	}
	return n
}

// pendingByAccount is how many recipients are pending on each channel.
func (p *progress) pendingByAccount() map[herald.Account]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[herald.Account]int, len(p.tally)+len(p.accounts))
	byAccount := herald.AccountTallies(p.tally, p.accounts)
	for acc, t := range byAccount {
		out[acc] = t.Pending
	}
	if byAccount == nil { // default accounts only
		for pl, t := range p.tally {
			out[herald.Account{Platform: pl}] = t.Pending
		}
	}
	return out
}

func (p *progress) heldCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// setPaused marks the run paused; why is set for an automatic pause.
func (p *progress) setPaused(why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.pauseReason = herald.RunPaused, why
	if why == "" {
		p.autoPause = nil
	}
}

// setDue records when the pending recipients may be sent (see due).
func (p *progress) setDue(due map[int64]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.due, p.dueKnown = due, true
}

// dueMinute is the key of progress.due: the minute t falls in.
func dueMinute(t time.Time) int64 { return t.Unix() / 60 }

// waitingLocked is how many pending recipients wait for a later minute
// than now's, when the next of them are due, and when the latest group
// already due became due (zero if none).
func (p *progress) waitingLocked(now time.Time) (waiting int, next, since time.Time) {
	cur := dueMinute(now)
	var nextMin, sinceMin int64
	for m, n := range p.due {
		switch {
		case m > cur:
			waiting += n
			if nextMin == 0 || m < nextMin {
				nextMin = m
			}
		case m > sinceMin:
			sinceMin = m
		}
	}
	if nextMin != 0 {
		next = time.Unix(nextMin*60, 0).UTC()
	}
	if sinceMin != 0 {
		since = time.Unix(sinceMin*60, 0).UTC()
	}
	return waiting, next, since
}

func (p *progress) snapshot(r *runner, now time.Time) herald.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := herald.Progress{BroadcastID: r.bid, RunID: r.runID, Status: p.status, PauseReason: p.pauseReason,
		Total: p.total, Held: p.held, StartedAt: p.started, At: now,
		Channels: make(map[herald.Platform]herald.Tally, len(p.tally))}
	for k, v := range p.tally {
		out.Channels[k] = v
	}
	out.Accounts = herald.AccountTallies(out.Channels, p.accounts)
	if p.status == herald.RunPaused && p.autoPause != nil {
		ap := *p.autoPause
		out.AutoPause = &ap
	}
	waiting, next, since := p.waitingLocked(now)
	out.Waiting, out.NextAt = waiting, next
	out.Rate = p.rate.rate(now, p.doneLocked(), since)
	// Until countWaiting is done, recipients due now cannot be told from
	// those waiting for their own time: no ETA rather than a wrong one.
	if due := out.Due(); p.dueKnown && out.Rate > 0 && due > 0 {
		out.ETA = time.Duration(float64(due) / out.Rate * float64(time.Second))
	}
	return out
}

// closeHeld tells a waiting runner that no recipient is held any more.
func (p *progress) closeHeld() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.heldDone:
	default:
		close(p.heldDone)
	}
}

// publish tells the reporter where the run stands now: at its start (or
// resume), when a pause takes effect, and whenever outcomes are committed.
func (r *runner) publish(ctx context.Context) {
	r.e.publish(ctx, herald.RunProgress{Progress: r.prog.snapshot(r, r.e.opts.Now())})
}

// countWaiting tells progress when each pending recipient may be sent
// (their NotBefore), so it can tell the recipients due now from those
// waiting for their own local time or the end of their quiet hours. due is
// that count when the snapshot just made it; else (a resumed run) it is
// read in the background and published once known. The returned func
// waits for it to end.
func (r *runner) countWaiting(ctx context.Context, run *herald.Run, due map[int64]int) (wait func()) {
	if r.e.opts.DeliverAt == nil || run.RetryOf != "" || due != nil { // everyone is due at once, or known
		r.prog.setDue(due)
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		due = map[int64]int{}
		var after uint32
		for !r.stopped() {
			ds, err := r.e.store.Deliveries(r.runID, herald.Pending, after, r.e.opts.PageSize)
			if err != nil {
				r.logErr("dispatch: count waiting recipients", err)
				return
			}
			for _, d := range ds {
				if !d.NotBefore.IsZero() {
					due[dueMinute(d.NotBefore)]++
				}
			}
			if len(ds) < r.e.opts.PageSize {
				r.prog.setDue(due)
				r.publish(ctx)
				return
			}
			after = ds[len(ds)-1].Seq
		}
	}()
	return func() { <-done }
}
