package dispatch

import (
	"time"

	"github.com/heraldbot/herald"
)

// Observer hears how sending goes on each channel (a platform's account):
// what operators watch on /metrics. cmd/bot passes *metrics.Metrics; nil
// is nobody. SendDone is on the send path, once per request: it must be
// quick and must not allocate.
type Observer interface {
	// SendDone: a request to the platform was answered after d (a message
	// of several requests is several).
	SendDone(acc herald.Account, d time.Duration)
	// RateLimited: the platform answered a request "too many requests"
	// (*herald.RetryAfterError); the engine waits and sends it again.
	RateLimited(acc herald.Account)
	// Queued: delta more of a run's recipients wait on the channel
	// (negative: fewer). Each run adds its own and takes them back when
	// it stops sending, so the sum is what all running runs have left.
	Queued(acc herald.Account, delta int)
}

// showQueued tells Options.Observer how many of the run's recipients are
// still pending on each channel, as progress counts them (those waiting
// for their own local time included; those held for an operator chat
// not): it adds the change since it last told. Calls come one at a time
// (the run's start, each commit, the end of sending).
func (r *runner) showQueued() {
	o := r.e.opts.Observer
	if o == nil {
		return
	}
	now := r.prog.pendingByAccount()
	for acc, n := range now {
		if d := n - r.queued[acc]; d != 0 {
			o.Queued(acc, d)
		}
	}
	for acc, n := range r.queued {
		if _, ok := now[acc]; !ok && n != 0 {
			o.Queued(acc, -n)
		}
	}
	r.queued = now
}

// clearQueued takes back what showQueued added, when the run stops
// sending (done, paused, canceled or shut down): a stopped run's pending
// recipients wait on nobody.
func (r *runner) clearQueued() {
	o := r.e.opts.Observer
	if o == nil {
		return
	}
	for acc, n := range r.queued {
		if n != 0 {
			o.Queued(acc, -n)
		}
	}
	r.queued = nil
}

// sendDone tells Options.Observer that the request t held the limiter
// for was answered.
func (t *turnOf) sendDone() {
	if o := t.lim.obs; o != nil {
		o.SendDone(t.lim.acc, t.lim.now().Sub(t.start))
	}
}
