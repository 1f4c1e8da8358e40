package adminchat

import "sync"

// Queue runs jobs one at a time per key (an admin's conversation), in the
// order they were queued, and jobs of different keys in parallel. Chat
// SDKs deliver events concurrently; two quick presses by one admin must
// still reach flows in order, while other admins are not kept waiting.
type Queue[K comparable] struct {
	mu      sync.Mutex
	pending map[K][]func()
	wg      sync.WaitGroup
}

// NewQueue returns an empty Queue.
func NewQueue[K comparable]() *Queue[K] { return &Queue[K]{pending: map[K][]func(){}} }

// Go queues job behind key's earlier jobs.
func (q *Queue[K]) Go(key K, job func()) {
	q.wg.Add(1)
	q.mu.Lock()
	jobs, running := q.pending[key]
	q.pending[key] = append(jobs, job)
	q.mu.Unlock()
	if !running {
		go q.drain(key)
	}
}

func (q *Queue[K]) drain(key K) {
	for {
		q.mu.Lock()
		jobs := q.pending[key]
		if len(jobs) == 0 {
			delete(q.pending, key)
			q.mu.Unlock()
			return
		}
		job := jobs[0]
		q.pending[key] = jobs[1:]
		q.mu.Unlock()
		job()
		q.wg.Done()
	}
}

// Wait blocks until every queued job has run.
func (q *Queue[K]) Wait() { q.wg.Wait() }
