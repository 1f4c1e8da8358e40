package adminchat

import (
	"sync"
	"time"
)

// Lookups caches a platform's answers about who may act (Telegram's
// getChatMember, Slack's user group members) for a while, so that every
// press does not cost a rate-limited call. A failed lookup is not cached:
// the next one asks again.
type Lookups[K comparable, V any] struct {
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[K]lookup[V]
}

type lookup[V any] struct {
	v  V
	at time.Time
}

// NewLookups trusts an answer for ttl on the clock now.
func NewLookups[K comparable, V any](ttl time.Duration, now func() time.Time) *Lookups[K, V] {
	return &Lookups[K, V]{ttl: ttl, now: now, m: map[K]lookup[V]{}}
}

// Get returns the answer for k, asking fetch when there is none younger
// than the TTL. Two callers missing at once may both ask.
func (c *Lookups[K, V]) Get(k K, fetch func() (V, error)) (V, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.v, nil
	}
	v, err := fetch()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.m[k] = lookup[V]{v: v, at: now}
	c.mu.Unlock()
	return v, nil
}
