package dispatch

import (
	"fmt"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// progress is a runner's live counts. Storage keeps the exact tally; this
// mirror spares a read per commit and adds what storage does not know
// (held recipients, the recent rate, the failure threshold's sample).
type progress struct {
	mu          sync.Mutex
	total       int
	tally       map[herald.Platform]herald.Tally
	held        int
	heldDone    chan struct{}
	started     time.Time
	status      herald.RunStatus
	pauseReason string
	// since this runner started: the failure threshold's sample
	finished, failed int
	paused           bool
	// rate: finished count at the start of the current window
	winAt   time.Time
	winDone int
	rate    float64
}

func (p *progress) init(run *herald.Run, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.started, p.status = run.Total, run.StartedAt, herald.RunSending
	p.tally = make(map[herald.Platform]herald.Tally, len(run.Tally))
	for k, v := range run.Tally {
		p.tally[k] = v
	}
	p.heldDone = make(chan struct{})
	p.winAt = now
}

// add counts committed outcomes.
func (p *progress) add(ds []herald.Delivery, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range ds {
		p.countLocked(d, false)
	}
	if dt := now.Sub(p.winAt); dt >= 2*time.Second {
		done := p.doneLocked()
		p.rate = float64(done-p.winDone) / dt.Seconds()
		p.winAt, p.winDone = now, done
	}
}

// observe feeds the failure threshold as outcomes arrive (before their
// commit, so a failing run stops early) and returns why the run must
// pause, once.
func (p *progress) observe(ds []herald.Delivery, o *Options) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range ds {
		switch {
		case d.Outcome == herald.Held:
			continue
		case d.Outcome == herald.Failed && d.Reason != herald.ReasonBlocked:
			p.failed++
		}
		p.finished++
	}
	if o.FailureThreshold > 0 && !p.paused && p.finished >= o.FailureMinSample &&
		float64(p.failed) > o.FailureThreshold*float64(p.finished) {
		p.paused = true
		return fmt.Sprintf("failures %d of %d (%.1f%%) passed the %.1f%% threshold",
			p.failed, p.finished, 100*float64(p.failed)/float64(p.finished), 100*o.FailureThreshold)
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
	{
		t := p.tally[d.Recipient.Platform]
		if fromHeld {
			p.held--
		} else {
			t.Pending--
		}
		switch d.Outcome {
		case herald.Sent:
			t.Sent++
		case herald.Failed:
			t.Failed++
		case herald.Skipped:
			t.Skipped++
		case herald.Held:
			p.held++
		}
		p.tally[d.Recipient.Platform] = t
	}
}

func (p *progress) doneLocked() int {
	n := 0
	for _, t := range p.tally {
		n += t.Done()
	}
	return n
}

func (p *progress) heldCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

func (p *progress) setPaused(why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.pauseReason = herald.RunPaused, why
}

func (p *progress) snapshot(r *runner, now time.Time) herald.Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := herald.Progress{BroadcastID: r.bid, RunID: r.runID, Status: p.status, PauseReason: p.pauseReason,
		Total: p.total, Held: p.held, Rate: p.rate, StartedAt: p.started, At: now,
		Channels: make(map[herald.Platform]herald.Tally, len(p.tally))}
	for k, v := range p.tally {
		out.Channels[k] = v
	}
	if left := p.total - p.doneLocked() - p.held; p.rate > 0 && left > 0 {
		out.ETA = time.Duration(float64(left) / p.rate * float64(time.Second))
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
