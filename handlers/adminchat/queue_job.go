package adminchat

import (
	"context"
	"time"
)

// GoJob queues job behind key's earlier jobs, as every admin frontend
// queues an event's handling: the job's context outlives ctx (an event loop
// that is shutting down; WaitContext waits for the job) and ends after
// timeout.
func (q *Queue[K]) GoJob(ctx context.Context, key K, timeout time.Duration, job func(context.Context)) {
	jctx := context.WithoutCancel(ctx)
	q.Go(key, func() {
		ctx, cancel := context.WithTimeout(jctx, timeout)
		defer cancel()
		job(ctx)
	})
}

// WaitContext blocks until every queued job has run, or until ctx ends
// (returning its error): a frontend's Close.
func (q *Queue[K]) WaitContext(ctx context.Context) error {
	done := make(chan struct{})
	go func() { q.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
