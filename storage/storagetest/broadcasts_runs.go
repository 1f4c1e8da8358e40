package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// bcastPending is n pending records on p from Seq from on.
func bcastPending(n int, p herald.Platform, from uint32) []herald.Delivery {
	ds := make([]herald.Delivery, n)
	for i := range ds {
		seq := from + uint32(i)
		ds[i] = herald.Delivery{Seq: seq, Recipient: herald.SubscriberKey{Platform: p, ID: "U" + string(rune('a'+seq%26))}, Outcome: herald.Pending}
	}
	return ds
}

// bcastRun is a new run of a new broadcast.
func bcastRun(t *testing.T, s storage.Backend) herald.Run {
	t.Helper()
	b := bcastNew(t, s, "run test")
	r := herald.Run{BroadcastID: b.ID, Status: herald.RunSnapshotting}
	if err := s.CreateRun(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func bcastSeqs(ds []herald.Delivery) []uint32 {
	out := []uint32{}
	for _, d := range ds {
		out = append(out, d.Seq)
	}
	return out
}

func createRunNumbers(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	b := bcastNew(t, s, "weekly")
	for n := 1; n <= 3; n++ {
		r := herald.Run{BroadcastID: b.ID}
		if err := s.CreateRun(&r); err != nil {
			t.Fatal(err)
		}
		if want := b.ID + "/" + string(rune('0'+n)); r.ID != want || r.N != n || !r.StartedAt.Equal(c.Now()) || r.Status != herald.RunSnapshotting {
			t.Errorf("run %d: %+v", n, r)
		}
	}
	if got, _ := s.Broadcast(b.ID); got.Runs != 3 {
		t.Errorf("broadcast Runs = %d, want 3", got.Runs)
	}
	runs, err := s.RunsOf(b.ID)
	if err != nil || len(runs) != 3 || runs[0].N != 1 || runs[2].N != 3 {
		t.Fatalf("RunsOf = %+v, %v", runs, err)
	}
	got, err := s.UpdateRun(runs[1].ID, func(r *herald.Run) error {
		r.Status = herald.RunPaused
		r.PauseReason = "too many failures"
		r.Total = 99
		return nil
	})
	if err != nil || got.Status != herald.RunPaused || got.Total != 0 {
		t.Fatalf("UpdateRun = %+v, %v (Total follows the records, not fn)", got, err)
	}
	if again, _ := s.Run(runs[1].ID); !cmp.Equal(again, got) {
		t.Errorf("Run after update = %+v", again)
	}
	if runs, err := s.RunsOf("B-NONE"); err != nil || len(runs) != 0 {
		t.Errorf("runs of nothing: %v, %v", runs, err)
	}
}

// start decides in the run's transaction: its error leaves neither the
// broadcast's change nor a run.
func startRunDecides(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	b := bcastNew(t, s, "starter")
	if _, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Status = herald.StatusScheduled; return nil }); err != nil {
		t.Fatal(err)
	}
	no := errors.New("paused meanwhile")
	r := herald.Run{BroadcastID: b.ID}
	err := s.StartRun(&r, func(b *herald.Broadcast) error { b.Status = herald.StatusSending; return no })
	if !errors.Is(err, no) || r.ID != "" {
		t.Fatalf("refused start: %v, run %+v", err, r)
	}
	if got, _ := s.Broadcast(b.ID); got.Status != herald.StatusScheduled || got.Runs != 0 {
		t.Errorf("refused start left %s, %d runs", got.Status, got.Runs)
	}
	if err := s.StartRun(&r, func(b *herald.Broadcast) error { b.Status = herald.StatusPending; return nil }); !errors.Is(err, herald.ErrInvalidTransition) {
		t.Errorf("start into a bad status: %v", err)
	}
	if err := s.StartRun(&r, func(b *herald.Broadcast) error { b.Status = herald.StatusSending; return nil }); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Broadcast(b.ID)
	if runs, _ := s.RunsOf(b.ID); got.Status != herald.StatusSending || got.Runs != 1 || len(runs) != 1 || runs[0].ID != r.ID {
		t.Errorf("started: %s, %d runs, %v", got.Status, got.Runs, runs)
	}
}

func updateBroadcastRun(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	b := bcastNew(t, s, "both")
	got, err := s.UpdateBroadcastRun(b.ID, func(b *herald.Broadcast, last *herald.Run) error {
		if last != nil {
			t.Errorf("last run of a broadcast without runs: %+v", last)
		}
		b.Status = herald.StatusScheduled
		return nil
	})
	if err != nil || got.Status != herald.StatusScheduled {
		t.Fatalf("without a run: %+v, %v", got, err)
	}
	for range 2 {
		r := herald.Run{BroadcastID: b.ID}
		if err := s.CreateRun(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddDeliveries(b.ID+"/2", bcastPending(3, herald.LINE, 1)); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	got, err = s.UpdateBroadcastRun(b.ID, func(b *herald.Broadcast, last *herald.Run) error {
		if last == nil || last.N != 2 || last.Total != 3 {
			t.Errorf("last run = %+v", last)
			return nil
		}
		b.Status = herald.StatusPaused
		last.Status, last.PauseReason, last.Total = herald.RunPaused, "asked", 0
		last.Tally[herald.LINE] = herald.Tally{}
		return nil
	})
	if err != nil || got.Status != herald.StatusPaused || !got.UpdatedAt.Equal(c.Now()) {
		t.Fatalf("pause: %+v, %v", got, err)
	}
	r, _ := s.Run(b.ID + "/2")
	if r.Status != herald.RunPaused || r.PauseReason != "asked" || r.Total != 3 || r.Tally[herald.LINE].Pending != 3 {
		t.Errorf("last run after pause: %+v (Total and Tally stay storage's)", r)
	}
	if first, _ := s.Run(b.ID + "/1"); first.Status != herald.RunSnapshotting {
		t.Errorf("an earlier run changed: %+v", first)
	}
	boom := errors.New("boom")
	if _, err := s.UpdateBroadcastRun(b.ID, func(b *herald.Broadcast, last *herald.Run) error {
		b.Name, last.PauseReason = "renamed", "changed"
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("fn's error: %v", err)
	}
	r, _ = s.Run(b.ID + "/2")
	if after, _ := s.Broadcast(b.ID); after.Name != "both" || r.PauseReason != "asked" {
		t.Errorf("an aborted change was written: %q, %q", after.Name, r.PauseReason)
	}
}

func runTimeline(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	r := bcastRun(t, s)
	ds := append(bcastPending(4, herald.LINE, 1), bcastPending(2, herald.Telegram, 5)...)
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RunTimeline(r.ID); err != nil || len(got) != 0 {
		t.Errorf("timeline before any outcome: %v, %v", got, err)
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
	s = o.Reopen(t, s, c.Now)
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
