package platformtest

import (
	"sync"
	"time"
)

// Faults are the misbehaviours a test can switch on at run time. Every fake
// has its own; each renders the fault in its platform's own error shape.
type Faults struct {
	mu         sync.Mutex
	now        func() time.Time
	rate       int           // allowed requests per second per token; 0: unlimited
	retryAfter time.Duration // what a 429 tells the client to wait
	windows    map[string]*window
	blocked    map[string]bool
	failNext   int
	failStatus int
	latency    time.Duration
}

type window struct {
	start time.Time
	n     int
}

// Verdict is what the faults decide for one request.
type Verdict struct {
	// Status is 0 to proceed, 429 for a rate limit, or the 5xx to answer.
	Status     int
	RetryAfter time.Duration
}

// NewFaults returns faults that are all off.
func NewFaults(now func() time.Time) *Faults {
	if now == nil {
		now = time.Now
	}
	return &Faults{now: now, windows: map[string]*window{}, blocked: map[string]bool{}}
}

// SetRateLimit lets each token make perSecond requests per second; the rest
// are answered 429 with retryAfter. perSecond 0 switches the limit off.
func (f *Faults) SetRateLimit(perSecond int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.retryAfter = perSecond, retryAfter
	f.windows = map[string]*window{}
}

// Block makes recipients unreachable (blocked the bot, unknown user).
func (f *Faults) Block(recipients ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recipients {
		f.blocked[r] = true
	}
}

// Unblock makes recipients reachable again.
func (f *Faults) Unblock(recipients ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recipients {
		delete(f.blocked, r)
	}
}

// Blocked reports whether a recipient is blocked.
func (f *Faults) Blocked(recipient string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.blocked[recipient]
}

// FailNext makes the next n requests fail with HTTP status (a 5xx).
func (f *Faults) FailNext(n, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext, f.failStatus = n, status
}

// SetLatency delays every request by d.
func (f *Faults) SetLatency(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.latency = d
}

// Reset switches every fault off.
func (f *Faults) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rate, f.retryAfter, f.failNext, f.latency = 0, 0, 0, 0
	f.windows = map[string]*window{}
	f.blocked = map[string]bool{}
}

// Check applies latency, then decides whether a request by token proceeds.
// Fakes call it first on every API request.
func (f *Faults) Check(token string) Verdict {
	if v := f.CheckRequest(); v.Status != 0 {
		return v
	}
	return f.CheckCall(token)
}

// CheckRequest applies latency and FailNext to one HTTP request: a fake
// whose request carries several calls (Messenger's batch) calls it once
// per request and CheckCall per call.
func (f *Faults) CheckRequest() Verdict {
	f.mu.Lock()
	delay := f.latency
	var v Verdict
	if f.failNext > 0 {
		f.failNext--
		v.Status = f.failStatus
	}
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	return v
}

// CheckCall applies the rate limit to one call by token: each call counts
// against it, whichever request carries it.
func (f *Faults) CheckCall(token string) Verdict {
	f.mu.Lock()
	defer f.mu.Unlock()
	var v Verdict
	if f.rate > 0 {
		now := f.now()
		w := f.windows[token]
		if w == nil || now.Sub(w.start) >= time.Second {
			w = &window{start: now}
			f.windows[token] = w
		}
		if w.n >= f.rate {
			v.Status, v.RetryAfter = 429, f.retryAfter
			if v.RetryAfter <= 0 {
				v.RetryAfter = time.Second
			}
		} else {
			w.n++
		}
	}
	return v
}
