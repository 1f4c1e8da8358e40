package dispatch

import (
	"context"
	"sync"
	"time"
)

// limiter spaces requests evenly at a rate (no bursts, so no one-second
// window ever holds more than the rate) and slows down when the platform
// answers 429. It is shared by a channel's workers. A zero rate is no limit.
type limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	base     time.Duration // interval at the configured rate
	interval time.Duration // current interval (grows after a 429)
	next     time.Time     // earliest start of the next request
}

func newLimiter(perSecond, headroom float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *limiter {
	l := &limiter{now: now, sleep: sleep}
	if perSecond > 0 {
		l.base = time.Duration(float64(time.Second) / (perSecond * headroom))
		l.interval = l.base
	}
	return l
}

// Wait reserves the next slot and waits for it.
func (l *limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	if l.base > 0 {
		l.next = at.Add(l.interval)
	}
	l.mu.Unlock()
	if !at.After(now) {
		return ctx.Err()
	}
	return l.sleep(ctx, at.Sub(now))
}

// Backoff reacts to a 429: nobody starts before after has passed, and the
// rate drops by a fifth (down to a tenth of the configured rate).
func (l *limiter) Backoff(after time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.now().Add(after); until.After(l.next) {
		l.next = until
	}
	if l.base > 0 {
		l.interval = min(l.interval*5/4, l.base*10)
	}
}

// Success lets a slowed limiter recover its configured rate gradually.
func (l *limiter) Success() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.interval > l.base {
		l.interval = max(l.base, l.interval-l.interval/100)
	}
}
