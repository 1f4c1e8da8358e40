package storagetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
)

// A write that fails leaves nothing behind: not the records before the
// bad one, not a counter, not a name.
func failedWritesLeaveNothing(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	r := bcastRun(t, s)
	batch := append(bcastPending(3, herald.LINE, 1), herald.Delivery{Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "no seq"}})
	if err := s.AddDeliveries(r.ID, batch); err == nil {
		t.Fatal("a batch with a record without Seq was taken")
	}
	run, _ := s.Run(r.ID)
	if ds, _ := s.Deliveries(r.ID, "", 0, 0); len(ds) != 0 || run.Total != 0 || len(run.Tally) != 0 {
		t.Errorf("a failed batch left %v, Total %d, Tally %+v", bcastSeqs(ds), run.Total, run.Tally)
	}
	a := bcastNew(t, s, "taken")
	b := bcastNew(t, s, "other")
	if _, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Name, b.CreatedBy = "TAKEN", "someone"; return nil }); !errors.Is(err, herald.ErrConflict) {
		t.Fatalf("rename onto a taken name: %v", err)
	}
	if got, _ := s.Broadcast(b.ID); got.Name != "other" || got.CreatedBy != "" {
		t.Errorf("a refused rename was written: %+v", got)
	}
	if err := s.DeleteBroadcast(a.ID); err != nil {
		t.Fatal(err)
	}
	bcastNew(t, s, "Taken") // the refused rename held nothing
}

// Writers of one broadcast take turns: none is lost.
func concurrentBroadcastUpdates(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	b := bcastNew(t, s, "busy")
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				_, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Content.Text += "x"; return nil })
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Broadcast(b.ID); got.Content.Text != "Hello"+strings.Repeat("x", writers*each) {
		t.Errorf("text after %d updates: %q", writers*each, got.Content.Text)
	}
}

// Group commits of one run from several workers at once (one per
// platform, and one repeating another's batches, as a lost answer makes
// dispatch do) keep the tally exact.
func concurrentCommits(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	r := bcastRun(t, s)
	const n = 600
	if err := s.AddDeliveries(r.ID, append(bcastPending(n, herald.LINE, 1), bcastPending(n, herald.Telegram, n+1)...)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	work := func(p herald.Platform) {
		for after := uint32(0); ; {
			ds, err := s.PendingDeliveries(r.ID, p, after, 50)
			if err != nil || len(ds) == 0 {
				errs <- err
				return
			}
			started := bcastSeqs(ds)
			for i := range ds {
				ds[i].Outcome = herald.Sent
			}
			if err := s.CommitDeliveries(r.ID, started, ds); err != nil {
				errs <- err
				return
			}
			after = ds[len(ds)-1].Seq
		}
	}
	wg.Go(func() { work(herald.LINE) })
	wg.Go(func() { work(herald.Telegram) })
	wg.Go(func() {
		for from := uint32(1); from <= n; from += 100 {
			ds := bcastPending(100, herald.LINE, from)
			for i := range ds {
				ds[i].Outcome = herald.Sent
			}
			if err := s.RecordOutcomes(r.ID, ds); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	run, _ := s.Run(r.ID)
	want := herald.Tally{Sent: n}
	if run.Tally[herald.LINE] != want || run.Tally[herald.Telegram] != want || run.Total != 2*n {
		t.Errorf("tally %+v, Total %d; want %d sent on each", run.Tally, run.Total, n)
	}
	if left, err := s.InFlight(r.ID); err != nil || len(left) != 0 {
		t.Errorf("in flight after every outcome: %v, %v", bcastSeqs(left), err)
	}
}

// Two admins naming two broadcasts alike at once: one name, one winner.
func concurrentNames(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	for round := range 5 {
		name := fmt.Sprintf("launch %d", round)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { errs[i] = s.CreateBroadcast(&herald.Broadcast{Name: name}) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, herald.ErrConflict):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d broadcasts got the name %q", round, won, name)
		}
	}
}
