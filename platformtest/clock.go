package platformtest

import (
	"context"
	"sync"
	"time"
)

// Clock is a test's time for code that waits through a sleep hook (the
// dispatcher's backoff, Retry-After and limiter, a sender's spacing):
// Sleep advances it instead of sleeping, so no test waits, and a fake
// that reads it (NewRecorder(c.Now)) sees a 429's window pass once the
// caller has waited it out.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the current test time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d at once; it fails only when ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}
