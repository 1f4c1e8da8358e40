package schedule

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// A one-off whose run cannot start is paused and its chat told once:
// after a restart it neither fails again nor comes back as missed.
func TestOneOffThatCannotStartIsHeldAndToldOnce(t *testing.T) {
	t0 := utc("2026-12-01T08:00:00Z")
	f := newFixture(t, t0, Options{MissedGrace: 15 * time.Minute})
	at := t0.Add(time.Hour)
	b := f.add("Flash sale", herald.Schedule{Kind: herald.SendAt, At: at})
	f.start.fail = errors.New("dispatch: start: disk full")
	f.tick(at)
	if got := f.status(b.ID); got != herald.StatusPaused {
		t.Errorf("status %s, want paused for an admin to decide", got)
	}
	if len(f.notes.failed) != 1 || f.notes.failed[0].ID != b.ID || f.notes.failed[0].Status != herald.StatusPaused {
		t.Fatalf("origin chat told %+v, want %s once, paused", f.notes.failed, b.ID)
	}
	f.restart()
	f.tick(at.Add(time.Hour))
	if f.start.count() != 0 || len(f.notes.failed) != 1 || len(f.notes.missed) != 0 {
		t.Errorf("after a restart: %d starts, %d start failures, %d missed told; want none again",
			f.start.count(), len(f.notes.failed)-1, len(f.notes.missed))
	}
}

// A recurring broadcast whose occurrence cannot start skips it (its chat
// told which one) and still goes out at the next.
func TestRecurringOccurrenceThatCannotStartIsSkipped(t *testing.T) {
	t0 := utc("2026-12-01T00:00:00Z")
	f := newFixture(t, t0, Options{})
	b := f.add("Daily tip", herald.Schedule{Kind: herald.SendRecurring, Cron: "0 9 * * *"})
	first := utc("2026-12-01T09:00:00Z")
	f.start.fail = errors.New("dispatch: start: disk full")
	f.tick(first)
	if got := f.status(b.ID); got != herald.StatusScheduled {
		t.Errorf("status %s, want still scheduled", got)
	}
	if len(f.notes.failed) != 1 || !f.notes.failed[0].Schedule.Next.Equal(first) {
		t.Fatalf("origin chat told %+v, want the occurrence of %s", f.notes.failed, first)
	}
	f.start.fail = nil
	f.tick(first.Add(24 * time.Hour))
	if f.start.count() != 2 || len(f.notes.failed) != 1 {
		t.Errorf("%d starts and %d failures told, want the next occurrence started", f.start.count(), len(f.notes.failed))
	}
}
