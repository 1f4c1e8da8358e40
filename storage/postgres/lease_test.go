package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
)

// TestLeaseHandsOver: one holder at a time; renewals keep it; an expired
// lease goes to the next instance with a higher term and its old holder
// can no longer renew it; a released one is free at once, and the others
// hear of it.
func TestLeaseHandsOver(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, url, postgres.Options{Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b := open(), open()
	const long = time.Hour
	la, err := a.AcquireLease(ctx, "dispatch", "a", long)
	if err != nil || la.Term != 1 || la.Holder != "a" {
		t.Fatalf("a acquires a free lease: %+v, %v", la, err)
	}
	if _, err := b.AcquireLease(ctx, "dispatch", "b", long); !errors.Is(err, postgres.ErrLeaseHeld) {
		t.Fatalf("b acquires a's running lease: %v, want ErrLeaseHeld", err)
	}
	if la, err = a.RenewLease(ctx, la, long); err != nil || la.Left < 30*time.Minute {
		t.Fatalf("a renews: %+v, %v", la, err)
	}
	// a's lease expires (a renewal with no time left stands for a holder
	// that stopped renewing): b takes it, in a new term.
	if _, err := a.RenewLease(ctx, la, 0); err != nil {
		t.Fatal(err)
	}
	lb, err := b.AcquireLease(ctx, "dispatch", "b", long)
	if err != nil || lb.Term != 2 || lb.Holder != "b" {
		t.Fatalf("b takes the expired lease: %+v, %v", lb, err)
	}
	if _, err := a.RenewLease(ctx, la, long); !errors.Is(err, postgres.ErrLeaseLost) {
		t.Fatalf("a renews the lease b took: %v, want ErrLeaseLost", err)
	}
	ls, err := a.Leases(ctx)
	if err != nil || len(ls) != 1 || ls[0].Holder != "b" || ls[0].Term != 2 {
		t.Fatalf("leases = %+v, %v", ls, err)
	}

	heard := make(chan string, 1)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	listening := make(chan struct{})
	go a.ListenLeases(lctx, func(name string) { heard <- name })
	// LISTEN is asynchronous: release until a hears, re-taking in between.
	go func() {
		defer close(listening)
		for lctx.Err() == nil {
			l, err := b.AcquireLease(ctx, "dispatch", "b", long)
			if err == nil {
				_ = b.ReleaseLease(ctx, l)
			}
			select {
			case <-lctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	select {
	case name := <-heard:
		if name != "dispatch" {
			t.Fatalf("heard release of %q", name)
		}
	case <-time.After(time.Minute):
		t.Fatal("a never heard b release the lease")
	}
	cancel()
	<-listening
	if l, err := a.AcquireLease(ctx, "dispatch", "a", long); err != nil || l.Holder != "a" {
		t.Fatalf("a takes the released lease: %+v, %v", l, err)
	}
}
