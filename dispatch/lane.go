package dispatch

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// Groups go in their own lane. A platform lets a bot send a group far
// fewer messages than a user (e.g. 20 a minute per group, against 1 a
// second per chat), so a group's second message or second request waits
// seconds. That wait must hold nothing users need: not a channel worker
// (a group job runs in a goroutine of its own, up to groupLaneJobs of
// them per channel) and not a limiter token (a job returns its token
// before any gap). A group's request does take one of the class's
// groupSlots while it waits for its token and is answered, so groups get
// at most that share of the class's rate and users the rest.
const groupLaneJobs = 4096

// groupSpacing is a class's per-group clock: when each group may next get
// a request, across runs, retries and test sends, so the class's GroupGap
// holds between any two requests to one group.
type groupSpacing struct {
	mu      sync.Mutex
	next    map[herald.SubscriberKey]time.Time
	sweepAt int // len(next) at which past entries are dropped
}

// groupTurn waits until the group may get its next request and reserves
// it: nobody else starts one to the group within the gap.
func (l *limiter) groupTurn(ctx context.Context, key herald.SubscriberKey) error {
	if l.groupGap <= 0 {
		return nil
	}
	g := &l.groups
	g.mu.Lock()
	now := l.now()
	at := g.next[key]
	if at.Before(now) {
		at = now
	}
	if g.next == nil {
		g.next = map[herald.SubscriberKey]time.Time{}
	}
	g.next[key] = at.Add(l.groupGap)
	g.sweep(now)
	g.mu.Unlock()
	if at.After(now) {
		return l.sleep(ctx, at.Sub(now))
	}
	return nil
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

// groupLane runs a channel's group jobs, each in its own goroutine.
type groupLane struct {
	jobs chan struct{} // one per running job, up to groupLaneJobs
	wg   sync.WaitGroup
}

func newGroupLane() *groupLane {
	return &groupLane{jobs: make(chan struct{}, groupLaneJobs)}
}

// handGroup starts j in the group lane; false when the run stopped first.
func (r *runner) handGroup(ctx context.Context, lane *groupLane, s Sender, j *job, out chan<- []herald.Delivery) bool {
	select {
	case lane.jobs <- struct{}{}:
	case <-r.stopCh:
		return false
	case <-ctx.Done():
		return false
	}
	lane.wg.Add(1)
	go func() {
		defer func() { <-lane.jobs; lane.wg.Done() }()
		r.execute(ctx, s, j, out)
	}()
	return true
}
