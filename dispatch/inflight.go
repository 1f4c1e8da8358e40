package dispatch

import (
	"context"
	"fmt"
	"sync"

	"github.com/heraldbot/herald"
)

// Uncertain is what a resumed run does with the recipients whose send had
// started when the process died, with no outcome recorded (a platform that
// takes no idempotency key may have delivered the message already).
type Uncertain string

const (
	// ResendUncertain sends to them again: everyone is reached, some
	// possibly twice. The default.
	ResendUncertain Uncertain = "resend"
	// SkipUncertain records them skipped (herald.ReasonUncertain): nobody
	// gets the message twice, some possibly never.
	SkipUncertain Uncertain = "skip"
)

// Validate reports whether u is a known policy ("" is the default).
func (u Uncertain) Validate() error {
	switch u {
	case "", ResendUncertain, SkipUncertain:
		return nil
	}
	return fmt.Errorf("dispatch: on_uncertain %q: want resend or skip", string(u))
}

// Deduplicator is a Sender whose platform delivers a message once however
// often it is sent with the same Message.RetryKey (an
// idempotency header). Its recipients are never marked in flight: after a
// crash they are sent again safely, whatever OnUncertain says.
type Deduplicator interface {
	DeduplicatesRetries() bool
}

func deduplicates(s Sender) bool {
	d, ok := s.(Deduplicator)
	return ok && d.DeduplicatesRetries()
}

// mark asks the committer to record a chunk of recipients in flight in its
// next group commit; done is closed once that commit ends, err says how.
type mark struct {
	seqs []uint32
	done chan struct{}
	err  error
}

// wait blocks until the mark is durable; false when it could not be
// written (the run is stopping: the recipients stay pending, unsent).
func (m *mark) wait() bool {
	if m == nil {
		return true
	}
	<-m.done
	return m.err == nil
}

// unknowns are the recipients of a stopping run whose request left but
// whose outcome never came (a send abandoned mid-request): they keep
// their in-flight mark.
type unknowns struct {
	mu   sync.Mutex
	seqs map[uint32]bool
}

func (u *unknowns) add(ds []herald.Delivery) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.seqs == nil {
		u.seqs = map[uint32]bool{}
	}
	for _, d := range ds {
		u.seqs[d.Seq] = true
	}
}

// settleUncertain, as a run resumes, decides the recipients a crash left
// in flight: on a Deduplicator's platform they are simply sent again;
// elsewhere they are counted uncertain and sent again or skipped as
// Options.OnUncertain says.
func (r *runner) settleUncertain() error {
	ds, err := r.e.store.InFlight(r.runID)
	if err != nil || len(ds) == 0 {
		return err
	}
	var safe, uncertain []herald.Delivery
	now := r.e.opts.Now()
	for _, d := range ds {
		if rt := r.e.routeOf(d.Recipient); rt != nil && deduplicates(rt.s) {
			safe = append(safe, d)
			continue
		}
		if r.e.opts.OnUncertain == SkipUncertain {
			d = r.outcome(d, herald.Skipped, herald.ReasonUncertain, "", 0)
			d.At = now
		}
		uncertain = append(uncertain, d)
	}
	if err := r.e.store.SettleInFlight(r.runID, safe, false); err != nil {
		return err
	}
	if err := r.e.store.SettleInFlight(r.runID, uncertain, true); err != nil {
		return err
	}
	if len(uncertain) > 0 {
		r.e.opts.Logger.Warn("dispatch: recipients in flight at a crash", "run_id", r.runID,
			"count", len(uncertain), "on_uncertain", string(r.e.opts.OnUncertain))
	}
	return nil
}

// unmarkUnsent, when a run's senders have stopped, removes the in-flight
// marks of the recipients never sent (marked ahead, then the run
// stopped), so a resumed run does not count them uncertain.
func (r *runner) unmarkUnsent() {
	ds, err := r.e.store.InFlight(r.runID)
	if err == nil && len(ds) > 0 {
		r.unknown.mu.Lock()
		unsent := ds[:0]
		for _, d := range ds {
			if !r.unknown.seqs[d.Seq] {
				unsent = append(unsent, d)
			}
		}
		r.unknown.mu.Unlock()
		err = r.e.store.SettleInFlight(r.runID, unsent, false)
	}
	if err != nil {
		r.logErr("dispatch: unmark unsent recipients", err)
	}
}

// handChunks hands out a page's due recipients a chunk (16×Workers, at
// most CommitBatch) at a time, each marked in flight before its requests
// may leave and its subscribers read in one transaction. The next chunk's
// mark is asked for as the current one is handed out, so the senders
// rarely wait for a commit; a crash leaves at most two chunks per channel
// marked that were not yet sent. Smaller chunks would count fewer
// uncertain but cost a commit each: at 4×Workers the per-request benchmark
// lost 40%.
func (pg *pager) handChunks(ctx context.Context, due []herald.Delivery) bool {
	n := min(16*pg.r.e.opts.Workers, pg.r.e.opts.CommitBatch)
	var next *mark
	for i := 0; i < len(due); i += n {
		cur := due[i:min(i+n, len(due))]
		if next == nil {
			next = pg.mark(cur)
		}
		pg.started, next = next, nil
		if rest := due[i+len(cur):]; len(rest) > 0 {
			next = pg.mark(rest[:min(n, len(rest))])
		}
		subs, errs := pg.subscribers(cur)
		for i, d := range cur {
			if !pg.handOut(ctx, d, &subs[i], errs[i]) {
				return false
			}
		}
	}
	return true
}

// subscribers reads the subscribers of ds as they are now (none when the
// channel has no sender: nothing is sent).
func (pg *pager) subscribers(ds []herald.Delivery) ([]herald.Subscriber, []error) {
	if pg.rt == nil {
		return make([]herald.Subscriber, len(ds)), make([]error, len(ds))
	}
	return pg.r.e.store.Recipients(ds)
}

// mark asks the committer to mark ds in flight (nil when the platform
// deduplicates).
func (pg *pager) mark(ds []herald.Delivery) *mark {
	if pg.marks == nil || len(ds) == 0 {
		return nil
	}
	m := &mark{seqs: make([]uint32, len(ds)), done: make(chan struct{})}
	for i, d := range ds {
		m.seqs[i] = d.Seq
	}
	pg.marks <- m
	return m
}
