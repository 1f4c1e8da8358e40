package storage

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// openTest opens a store in a fresh temp dir, closed at cleanup.
func openTest(t testing.TB) (*Store, *platformtest.Clock) {
	t.Helper()
	c := crowd.Clock()
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

// newBroadcast stores a draft named name (the contract suite,
// storagetest, has the broadcast tests; these helpers serve the bbolt-only
// ones).
func newBroadcast(t testing.TB, s *Store, name string) herald.Broadcast {
	t.Helper()
	b := herald.Broadcast{Name: name, Content: herald.Content{Text: "Hello"}}
	mustDo(t, s.CreateBroadcast(&b))
	return b
}

// newRun starts a run of a new broadcast.
func newRun(t testing.TB, s *Store) herald.Run {
	t.Helper()
	r := herald.Run{BroadcastID: newBroadcast(t, s, "run test").ID}
	mustDo(t, s.CreateRun(&r))
	return r
}

// pending is n pending records on p from Seq from on.
func pending(n int, p herald.Platform, from uint32) []herald.Delivery {
	var ds []herald.Delivery
	for seq := from; seq < from+uint32(n); seq++ {
		ds = append(ds, herald.Delivery{Seq: seq, Outcome: herald.Pending,
			Recipient: herald.SubscriberKey{Platform: p, ID: "U" + string(rune('a'+seq%26))}})
	}
	return ds
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
