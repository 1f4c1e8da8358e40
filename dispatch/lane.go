package dispatch

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// Jobs that wait for a chat's gap wait in their own lane. A platform lets
// a bot send a group far fewer messages than a user (e.g. 20 a minute per
// group), and a chat its second message only a second after the first
// (an album and its buttons), so a group's next request, or any chat's
// next part, waits seconds. That wait must hold nothing others need: not
// a channel worker and not a limiter token. A job whose chat's gap has
// not passed leaves its worker with *NotYet (returning its token first)
// and waits in the channel's due queue, by the time it may go on; the
// queue hands it back to the workers then. A group's request does take
// one of the class's groupSlots while it waits for its token and is
// answered, so groups get at most that share of the class's rate and
// users the rest.

// groupSpacing is a class's per-group clock: when each group may next get
// a request, across runs, retries and test sends, so the class's GroupGap
// holds between any two requests to one group.
type groupSpacing struct {
	mu      sync.Mutex
	next    map[herald.SubscriberKey]time.Time
	sweepAt int // len(next) at which past entries are dropped
}

// groupTurn reserves the group's next request for now and returns the
// zero time when its gap has passed; else it reserves nothing and returns
// when the gap passes.
func (l *limiter) groupTurn(key herald.SubscriberKey) time.Time {
	if l.groupGap <= 0 {
		return time.Time{}
	}
	g := &l.groups
	g.mu.Lock()
	defer g.mu.Unlock()
	now := l.now()
	if at := g.next[key]; at.After(now) {
		return at
	}
	if g.next == nil {
		g.next = map[herald.SubscriberKey]time.Time{}
	}
	g.next[key] = now.Add(l.groupGap)
	g.sweep(now)
	return time.Time{}
}

// groupAnswered starts the group's gap again when its request has been
// answered: the platform counts the request when it arrives, which may be
// later than it started.
func (l *limiter) groupAnswered(key herald.SubscriberKey) {
	if l.groupGap <= 0 {
		return
	}
	g := &l.groups
	g.mu.Lock()
	if at := l.now().Add(l.groupGap); at.After(g.next[key]) {
		g.next[key] = at
	}
	g.mu.Unlock()
}

// sweep drops groups whose gap has passed once the map has doubled, so it
// holds about the groups sent to within the last gap; g.mu is held.
func (g *groupSpacing) sweep(now time.Time) {
	if len(g.next) < max(g.sweepAt, 1024) {
		return
	}
	for k, at := range g.next {
		if at.Before(now) {
			delete(g.next, k)
		}
	}
	g.sweepAt = 2 * len(g.next)
}

// groupOf is the group a message goes to, if it goes to one group.
func groupOf(to []Recipient) (herald.SubscriberKey, bool) {
	if len(to) == 1 && to[0].Kind == herald.KindGroup {
		return to[0].Key, true
	}
	return herald.SubscriberKey{}, false
}

// dueQueue is a channel's jobs waiting for a chat's gap, earliest first.
// live counts the jobs handed to the channel and not finished, the
// waiting ones included: the channel ends when it is zero.
type dueQueue struct {
	mu    sync.Mutex
	items dueJobs
	until time.Time          // when the queue's loop wakes (zero: idle)
	wake  context.CancelFunc // ends the loop's wait early
	gone  bool               // ctx ended: parking abandons the job
	live  sync.WaitGroup
	quit  chan struct{}
	ended chan struct{}
}

func newDueQueue() *dueQueue {
	return &dueQueue{quit: make(chan struct{}), ended: make(chan struct{})}
}

// dueJob is a job and when it may go on.
type dueJob struct {
	at time.Time
	j  *job
}

// dueJobs is a min-heap of jobs by time (container/heap).
type dueJobs []dueJob

func (h dueJobs) Len() int           { return len(h) }
func (h dueJobs) Less(i, k int) bool { return h[i].at.Before(h[k].at) }
func (h dueJobs) Swap(i, k int)      { h[i], h[k] = h[k], h[i] }
func (h *dueJobs) Push(x any)        { *h = append(*h, x.(dueJob)) }
func (h *dueJobs) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = dueJob{}
	*h = old[:len(old)-1]
	return x
}

// park puts j in the queue until at. A job that has sent nothing yet and
// whose run stopped is dropped instead: its recipients stay pending. One
// that sent some of its parts first has them recorded (Delivery.PartsDone,
// still pending), so that after a crash only the rest is sent again.
func (r *runner) park(q *dueQueue, j *job, at time.Time, out chan<- []herald.Delivery) {
	if !j.try.midway && r.stopped() {
		q.live.Done()
		return
	}
	if j.try.midway && len(j.ds) == 1 && j.ds[0].PartsDone < j.msg.FromPart {
		d := j.ds[0]
		d.PartsDone = j.msg.FromPart
		out <- []herald.Delivery{d}
	}
	q.mu.Lock()
	if q.gone {
		q.mu.Unlock()
		r.abandon(q, []*job{j})
		return
	}
	heap.Push(&q.items, dueJob{at, j})
	if q.wake != nil && (q.until.IsZero() || at.Before(q.until)) {
		q.wake()
		q.wake = nil
	}
	q.mu.Unlock()
}

// due hands the channel's waiting jobs to its workers as their times come,
// until the queue is closed. When ctx ends, the jobs waiting then and
// parked later are abandoned.
func (r *runner) due(ctx context.Context, q *dueQueue, jobs chan<- *job) {
	defer close(q.ended)
	for ctx.Err() == nil {
		q.mu.Lock()
		now := r.e.opts.Now()
		var ready []*job
		for len(q.items) > 0 && !q.items[0].at.After(now) {
			ready = append(ready, heap.Pop(&q.items).(dueJob).j)
		}
		q.until = time.Time{}
		if len(q.items) > 0 {
			q.until = q.items[0].at
		}
		until := q.until
		wait, wake := context.WithCancel(ctx)
		q.wake = wake
		q.mu.Unlock()
		if !r.handDue(ctx, q, ready, jobs) {
			wake()
			break
		}
		switch {
		case len(ready) > 0: // look again: time passed while handing them
		case until.IsZero():
			select {
			case <-wait.Done():
			case <-q.quit:
				wake()
				return
			}
		default:
			_ = r.e.opts.Sleep(wait, until.Sub(now))
		}
		wake()
	}
	q.mu.Lock()
	q.gone = true
	left := make([]*job, len(q.items))
	for i, it := range q.items {
		left[i] = it.j
	}
	q.items = nil
	q.mu.Unlock()
	r.abandon(q, left)
	<-q.quit
}

// handDue gives ready jobs to the workers; false when ctx ended first
// (the jobs not given are abandoned).
func (r *runner) handDue(ctx context.Context, q *dueQueue, ready []*job, jobs chan<- *job) bool {
	for i, j := range ready {
		select {
		case jobs <- j:
		case <-ctx.Done():
			r.abandon(q, ready[i:])
			return false
		}
	}
	return true
}

// abandon gives up jobs the channel will not send (ctx ended): those that
// sent parts keep their in-flight mark (unknowns).
func (r *runner) abandon(q *dueQueue, js []*job) {
	for _, j := range js {
		if j.try.midway && j.started != nil {
			r.unknown.add(j.ds)
		}
		q.live.Done()
	}
}

// close stops the queue's loop once no job is left: the channel's pager
// is done and every job it handed out finished.
func (q *dueQueue) close() {
	q.live.Wait()
	close(q.quit)
	<-q.ended
}
