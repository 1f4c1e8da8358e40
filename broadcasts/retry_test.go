package broadcasts_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// TestRetryFailedSendsOnlyToTheFailed: LINE's monthly quota runs out part
// way; once it is raised, a retry reaches exactly those who missed out,
// as a run of its own, and a second retry has nobody left.
func TestRetryFailedSendsOnlyToTheFailed(t *testing.T) {
	r := newRig(t, &hookedStore{})
	r.line.SetQuota(12)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := r.eng.Start(ctx, r.id); err != nil {
		t.Fatal(err)
	}
	if err := r.eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := r.svc.Retryable(r.id)
	if err != nil || n == 0 {
		t.Fatalf("retryable after the quota ran out: %d, %v", n, err)
	}
	first, _ := r.st.RunsOf(r.id)
	sent, _ := r.st.Deliveries(first[0].ID, herald.Sent, 0, 100)
	r.line.SetQuota(1000)
	admin := broadcasts.Actor{Key: "console:bob"}
	run, got, err := r.svc.RetryFailed(ctx, r.id, admin)
	if err != nil || got != n || run.RetryOf != first[0].ID {
		t.Fatalf("retry: run %+v, %d recipients (want %d), %v", run, got, n, err)
	}
	if err := r.eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	again, _ := r.st.Deliveries(run.ID, herald.Sent, 0, 100)
	if len(again) != n || len(sent)+len(again) != 30 {
		t.Errorf("first run sent %d, the retry %d; want the retry to send the %d failed and all 30 reached", len(sent), len(again), n)
	}
	if _, _, err := r.svc.RetryFailed(ctx, r.id, admin); !errors.Is(err, broadcasts.ErrNothingToRetry) {
		t.Errorf("second retry: %v, want nothing to retry", err)
	}
}
