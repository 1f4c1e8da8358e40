package storage

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a store in a fresh temp dir, closed at cleanup.
func openTest(t testing.TB) (*Store, *clock) {
	t.Helper()
	c := newClock()
	s, err := Open(filepath.Join(t.TempDir(), "herald.db"), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, c
}

// reopen closes s and opens its file again.
func reopen(t testing.TB, s *Store, c *clock) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(s.Path(), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	return s2
}

// user builds a valid subscriber; i picks its ID.
func user(p herald.Platform, i int, tags ...string) herald.Subscriber {
	return herald.Subscriber{
		Platform: p, ID: fmt.Sprintf("U%07d", i), Kind: herald.KindUser, Name: fmt.Sprintf("User %d", i),
		Locale: "zh-TW", Timezone: "Asia/Taipei", Tags: herald.NormalizeTags(tags),
		State: herald.Subscribed, LastInteraction: time.Date(2026, 2, 1, 0, 0, i%3600, 0, time.UTC),
	}
}

// key is the key of user(p, i).
func key(p herald.Platform, i int) herald.SubscriberKey {
	u := user(p, i)
	return u.Key()
}
