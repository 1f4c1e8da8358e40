package storage

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"sync"
)

// newClock is the stores' test time, 2026-03-01 09:00 UTC, moved by the
// test.
func newClock() *platformtest.Clock {
	return platformtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// openTest opens a store in a fresh temp dir, closed at cleanup.
func openTest(t testing.TB) (*Store, *platformtest.Clock) {
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
func reopen(t testing.TB, s *Store, c *platformtest.Clock) *Store {
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

// untilClosed starts n goroutines, counted by wg, that each run step over
// and over until done is closed or step returns false: the readers and
// trimmers a test runs against a writer.
func untilClosed(wg *sync.WaitGroup, done <-chan struct{}, n int, step func() bool) {
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if !step() {
					return
				}
			}
		}()
	}
}

// newBroadcast creates a broadcast for the bbolt-only tests (the
// contract suite, storagetest, has its own).
func newBroadcast(t *testing.T, s *Store, name string) herald.Broadcast {
	t.Helper()
	b := herald.Broadcast{Name: name, Origin: herald.Origin{Frontend: "slack", ChatID: "C1", UserID: "U1"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}},
		Content:  herald.Content{Text: "Hello"}}
	if err := s.CreateBroadcast(&b); err != nil {
		t.Fatalf("create %q: %v", name, err)
	}
	return b
}

func pending(n int, p herald.Platform, from uint32) []herald.Delivery {
	ds := make([]herald.Delivery, n)
	for i := range ds {
		seq := from + uint32(i)
		ds[i] = herald.Delivery{Seq: seq, Recipient: herald.SubscriberKey{Platform: p, ID: "U" + string(rune('a'+seq%26))}, Outcome: herald.Pending}
	}
	return ds
}

func newRun(t *testing.T, s *Store) herald.Run {
	t.Helper()
	b := newBroadcast(t, s, "run test")
	r := herald.Run{BroadcastID: b.ID, Status: herald.RunSnapshotting}
	if err := s.CreateRun(&r); err != nil {
		t.Fatal(err)
	}
	return r
}
