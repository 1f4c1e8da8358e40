package adminchat_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/handlers/adminchat"
)

// One admin's presses reach flows in the order made, one at a time; another
// admin is not kept waiting behind them.
func TestQueueKeepsEachKeysOrderAndRunsKeysInParallel(t *testing.T) {
	q := adminchat.NewQueue[string]()
	release := make(chan struct{})
	var mu sync.Mutex
	var alice []int
	q.Go("alice", func() { <-release }) // alice's first job blocks…
	for i := 1; i <= 5; i++ {
		q.Go("alice", func() { mu.Lock(); alice = append(alice, i); mu.Unlock() })
	}
	bobDone := make(chan struct{})
	q.Go("bob", func() { close(bobDone) })
	<-bobDone // …while bob's runs: it returns, or the test never ends
	mu.Lock()
	if len(alice) != 0 {
		t.Errorf("alice's later jobs ran before her first finished: %v", alice)
	}
	mu.Unlock()
	close(release)
	q.Wait()
	if want := []int{1, 2, 3, 4, 5}; !slices.Equal(alice, want) {
		t.Errorf("alice's jobs ran in order %v; want %v", alice, want)
	}
}

// A job outlives the event loop's context (its frontend is shutting down)
// and WaitContext gives up when its own context ends first.
func TestGoJobOutlivesTheEventAndWaitContextGivesUp(t *testing.T) {
	q := adminchat.NewQueue[int]()
	event, cancel := context.WithCancel(context.Background())
	cancel()
	release := make(chan struct{})
	errs := make(chan error, 1)
	q.GoJob(event, 1, time.Minute, func(ctx context.Context) {
		<-release
		errs <- ctx.Err()
	})
	done, stop := context.WithCancel(context.Background())
	stop()
	if err := q.WaitContext(done); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitContext with a job still running: %v, want context.Canceled", err)
	}
	close(release)
	if err := q.WaitContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Errorf("the job's context ended with the event's: %v", err)
	}
}
