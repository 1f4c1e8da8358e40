package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
)

// Expired event IDs are deleted by a sweep at most every seenSweepEvery,
// not by every insert: the table keeps what the window needs and little
// more.
func TestSeenEventsSweptNowAndThen(t *testing.T) {
	c := platformtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	s, err := Open(context.Background(), pgtest.URL(t), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	record := func(ids ...string) {
		t.Helper()
		if _, err := s.RecordInbound(ids, make([]herald.SubscriberKey, len(ids)), make([]herald.Tap, len(ids)), nil); err != nil {
			t.Fatal(err)
		}
	}
	rows := func() int {
		t.Helper()
		var n int
		if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM seen_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for i := range 50 {
		record(fmt.Sprintf("line:old%d", i)) // the first sweeps, with nothing to delete
	}
	c.Add(50 * time.Second)
	record("line:mid")
	c.Add(storage.SeenWindow - 20*time.Second)
	record("line:new1") // sweeps: the old ones are a window old, mid not yet
	if n := rows(); n != 2 {
		t.Fatalf("%d IDs kept after the sweep, want mid and new1", n)
	}
	c.Add(30 * time.Second)
	record("line:new2") // mid has expired, but the last sweep was 30 s ago
	if n := rows(); n != 3 {
		t.Fatalf("%d IDs kept, want 3: a sweep ran within %v of the last", n, seenSweepEvery)
	}
	if repeat, _ := s.RecordInbound([]string{"line:mid"}, make([]herald.SubscriberKey, 1), make([]herald.Tap, 1), nil); repeat[0] {
		t.Fatal("an expired ID not yet swept is taken for a repeat")
	}
	c.Add(seenSweepEvery)
	record("line:new3")
	if n := rows(); n != 4 {
		t.Fatalf("%d IDs kept, want mid (again), new1, new2, new3", n)
	}
}
