package dispatch

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// limiter spaces requests evenly at a rate (no bursts) and slows down when
// the platform answers 429. It is shared by a channel's workers. A zero rate
// is no limit.
//
// Even spacing alone can still put rate+1 requests into one second at the
// platform when network delays vary; so a request also needs one of
// ⌊rate⌋ tokens, and a token comes back one second after its request's
// answer. The platform saw that request before it answered, so no
// one-second window there ever holds more than ⌊rate⌋ of ours.
type limiter struct {
	tokens   chan time.Time // when each free token may be used; nil: no limit
	mu       sync.Mutex
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	base     time.Duration // interval at the configured rate
	interval time.Duration // current interval (grows after a 429)
	next     time.Time     // earliest start of the next request
	// chatGap and groupGap space requests to one chat (RateClass): a
	// user's within a message, a group's always (groups).
	chatGap, groupGap time.Duration
	groups            groupSpacing
	// groupSlots caps the requests to groups waiting for a token or an
	// answer at once, leaving the rest of the rate to users (lane.go).
	groupSlots chan struct{}
	// obs hears each request's time and each 429 on the class, as the
	// channel acc's (Options.Observer; nil: nobody).
	obs Observer
	acc herald.Account
}

func newLimiter(perSecond, headroom float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *limiter {
	l := &limiter{now: now, sleep: sleep}
	if perSecond > 0 {
		l.base = time.Duration(float64(time.Second) / (perSecond * headroom))
		l.interval = l.base
		n := max(1, int(perSecond))
		l.tokens = make(chan time.Time, n)
		for range n {
			l.tokens <- time.Time{}
		}
	}
	return l
}

// Wait reserves the next slot and waits for it. Every Wait that returns
// nil must be followed by Done once the request has been answered.
func (l *limiter) Wait(ctx context.Context) error {
	var free time.Time
	if l.tokens != nil {
		select {
		case free = <-l.tokens:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l.mu.Lock()
	now := l.now()
	at := l.next
	if at.Before(free) {
		at = free
	}
	if at.Before(now) {
		at = now
	}
	if l.base > 0 {
		l.next = at.Add(l.interval)
	}
	l.mu.Unlock()
	var err error
	if at.After(now) {
		err = l.sleep(ctx, at.Sub(now))
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil && l.tokens != nil {
		l.tokens <- free
	}
	return err
}

// gap is the least time between two requests of a message to to.
func (l *limiter) gap(to []Recipient) time.Duration {
	for _, r := range to {
		if r.Kind == herald.KindGroup {
			return l.groupGap
		}
	}
	return l.chatGap
}

// Done returns the request's token, usable one second from now.
func (l *limiter) Done() {
	if l.tokens != nil {
		l.tokens <- l.now().Add(time.Second)
	}
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
