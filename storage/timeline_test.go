package storage

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

// The timeline follows the outcomes: per minute and platform, a repeated
// outcome counted once, a changed one moved, and it survives a reopen.
func TestRunTimelineCountsOutcomesPerMinute(t *testing.T) {
	s, c := openTest(t)
	r := newRun(t, s)
	ds := append(pending(4, herald.LINE, 1), pending(2, herald.Telegram, 5)...)
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 9, 0, 10, 0, time.UTC)
	out := func(seq uint32, o herald.Outcome, at time.Time) herald.Delivery {
		return herald.Delivery{Seq: seq, Outcome: o, At: at}
	}
	first := []herald.Delivery{out(1, herald.Sent, t0), out(2, herald.Sent, t0.Add(20*time.Second)),
		out(3, herald.Failed, t0.Add(30*time.Second)), out(5, herald.Sent, t0.Add(time.Minute))}
	for range 2 { // the same outcomes twice count once
		if err := s.RecordOutcomes(r.ID, first); err != nil {
			t.Fatal(err)
		}
	}
	// A failure retried into a success two minutes later moves minutes.
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{out(3, herald.Sent, t0.Add(2*time.Minute)), out(4, herald.Skipped, t0)}); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	got, err := s.RunTimeline(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := t0.Truncate(time.Minute)
	want := []herald.MinuteCount{
		{Minute: m, Platform: herald.LINE, Sent: 2},
		{Minute: m.Add(time.Minute), Platform: herald.Telegram, Sent: 1},
		{Minute: m.Add(2 * time.Minute), Platform: herald.LINE, Sent: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if _, err := s.RunTimeline(r.BroadcastID + "/9"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("unknown run: %v, want ErrNotFound", err)
	}
}
