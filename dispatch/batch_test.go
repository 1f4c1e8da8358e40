package dispatch_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// A broadcast to Messenger people goes out in Graph batches of 50, and
// each person's call fares on its own: the blocked fail (and are marked
// blocked), one Messenger says is outside the window is skipped, those
// whose calls were rate limited or did not complete are sent again alone
// — nobody else twice — and the tally and report add up.
func TestMessengerBatchRecordsEachPersonsOutcome(t *testing.T) {
	limits := &countLimits{}
	e := newEnv(t, func(o *dispatch.Options) { o.Observer = limits })
	subs := e.subscribe(herald.Messenger, 120, func(i int, s *herald.Subscriber) {
		if i == 10 { // Messenger last heard from them 30 hours ago...
			s.LastInteraction = s.LastInteraction.Add(-29 * time.Hour)
		}
	})
	// ...while Herald, missing a webhook, thinks they wrote an hour ago.
	if _, err := e.st.UpdateSubscriber(subs[10].Key(), func(s *herald.Subscriber, _ bool) error {
		s.LastInteraction = e.clock.Now().Add(-time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m := e.fakes.Messenger
	m.Faults.Block(subs[3].ID, subs[77].ID)
	retried := []string{subs[20].ID, subs[21].ID, subs[90].ID, subs[115].ID}
	m.LimitOnce(retried[:3]...)
	m.Unfinished(retried[3])
	bid := e.broadcast(hello, herald.Messenger)

	run := e.start(bid)

	rec := e.fakes.Recorder
	if tl := run.Tally[herald.Messenger]; run.Status != herald.RunCompleted || tl.Sent != 117 || tl.Failed != 2 || tl.Skipped != 1 || tl.Pending != 0 {
		t.Fatalf("run %s, tally %+v: want completed, 117 sent, 2 failed, 1 skipped", run.Status, tl)
	}
	if got, n, dups := rec.Recipients("messenger"), rec.Count("messenger"), len(rec.Duplicates("messenger")); got != 117 || n != 117 || dups != 0 {
		t.Errorf("%d people reached in %d deliveries, %d twice: want 117 once each", got, n, dups)
	}
	perRequest := map[int64][]string{}
	for _, d := range rec.Deliveries("messenger") {
		perRequest[d.RequestID] = append(perRequest[d.RequestID], d.Recipient)
	}
	// 50, 50 and 20 people, then the four sent again: in one request per
	// first batch they were in (20 and 21 together)
	if len(perRequest) != 6 {
		t.Errorf("%d requests delivered, want 6: %v", len(perRequest), perRequest)
	}
	for _, id := range retried {
		ds := rec.To("messenger", id)
		if len(ds) != 1 || len(perRequest[ds[0].RequestID]) > 2 {
			t.Errorf("%s sent again: %+v in request %v, want once, with none but the others sent again", id, ds, perRequest[ds[0].RequestID])
		}
	}
	if n := limits.n.Load(); n != 3 {
		t.Errorf("the observer heard %d rate limits, want 3", n)
	}
	outcomes := map[uint32]herald.Delivery{}
	for _, d := range e.deliveries(run.ID, "") {
		outcomes[d.Seq] = d
	}
	for i, want := range map[int]struct {
		o        herald.Outcome
		reason   string
		attempts int
	}{
		3: {herald.Failed, herald.ReasonBlocked, 1}, 10: {herald.Skipped, herald.ReasonOutsideWindow, 1},
		20: {herald.Sent, "", 1}, 115: {herald.Sent, "", 2}, 0: {herald.Sent, "", 1},
	} {
		d := outcomes[subs[i].Seq]
		if d.Outcome != want.o || d.Reason != want.reason || d.Attempts != want.attempts || (want.o == herald.Sent) != (d.MessageID != "") {
			t.Errorf("person %d: %s %q, %d tries, message %q; want %s %q, %d tries", i, d.Outcome, d.Reason, d.Attempts, d.MessageID, want.o, want.reason, want.attempts)
		}
	}
	if s, _ := e.st.Subscriber(subs[77].Key()); s.State != herald.Blocked {
		t.Errorf("a person Messenger says is unavailable is %s, want blocked", s.State)
	}
	rep, ok := e.rep.last()
	if !ok || rep.Sum().Sent != 117 || len(rep.Failures) != 1 || rep.Failures[0].Count != 2 || len(rep.Skips) != 1 {
		t.Errorf("report %+v, want 117 sent, 2 blocked, 1 skipped", rep)
	}
}

// Content that takes several requests per person (an album and its
// buttons) is not batched: each person gets the parts in order, one
// request each.
func TestMessengerSendsAnAlbumOneByOne(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.Messenger, 3, nil)
	album := herald.Content{Kind: herald.ImageContent, Text: "New in",
		Images: []herald.Image{{URL: "https://cdn.example.com/a.jpg"}, {URL: "https://cdn.example.com/b.jpg"}}}
	run := e.start(e.broadcast(album, herald.Messenger))
	if run.Tally[herald.Messenger].Sent != 3 {
		t.Fatalf("tally %+v, want 3 sent", run.Tally)
	}
	seen := map[int64]bool{}
	for _, d := range e.fakes.Recorder.Deliveries("messenger") {
		if seen[d.RequestID] {
			t.Fatalf("two parts in one request: %+v", d)
		}
		seen[d.RequestID] = true
	}
	if len(seen) != 9 {
		t.Errorf("%d requests, want 3 people × 3 parts", len(seen))
	}
}

// countLimits is an Observer counting the rate limits it hears.
type countLimits struct{ n atomic.Int32 }

func (c *countLimits) SendDone(herald.Account, time.Duration) {}
func (c *countLimits) RateLimited(herald.Account)             { c.n.Add(1) }
func (c *countLimits) Queued(herald.Account, int)             {}
