package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
)

// TestLeaseKeeperStopsTheWorkWhenItCannotRenew: the holder loses the
// database; its renewals fail, and before the lease would expire the work
// is stopped (its context ends, lost is called), and the lease is then
// free for another instance.
func TestLeaseKeeperStopsTheWorkWhenItCannotRenew(t *testing.T) {
	sc := StorageConfig{Driver: driverPostgres, PostgresURL: pgtest.URL(t)}
	ctx := context.Background()
	open := func() *postgres.Store {
		b, err := openPostgres(sc, storage.Options{}) // as the bot opens it: shared
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b.(*postgres.Store)
	}
	holder, other := open(), open()
	k := newLeaseKeeper(holder, leaseDispatch, "a/1", 3*time.Second, slog.New(slog.DiscardHandler))
	worked := make(chan context.Context, 1)
	lost := make(chan struct{})
	k.work = func(ctx context.Context) { worked <- ctx }
	k.lost, k.final = func() { close(lost) }, true
	done := make(chan struct{})
	go func() { defer close(done); k.run(ctx) }()
	var work context.Context
	select {
	case work = <-worked:
	case <-time.After(time.Minute):
		t.Fatal("the keeper never took the free lease")
	}
	if !k.held() {
		t.Fatal("held() is false while the work runs")
	}
	_ = holder.Close() // the database is gone for this instance
	for _, c := range []<-chan struct{}{work.Done(), lost, done} {
		select {
		case <-c:
		case <-time.After(time.Minute):
			t.Fatal("the work did not stop when the lease could not be renewed")
		}
	}
	if k.held() {
		t.Error("held() is still true after the lease was lost")
	}
	var l postgres.Lease
	var err error
	waitUntil(t, "another instance takes the expired lease", func() bool {
		l, err = other.AcquireLease(ctx, leaseDispatch, "b/2", time.Minute)
		return err == nil
	})
	if l.Term != 2 {
		t.Errorf("the takeover's term is %d, want 2", l.Term)
	}
}
