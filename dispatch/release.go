package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// Release delivers what running broadcasts held for a recipient whose
// operator chat has just closed (the inbound side calls it). A run whose
// other recipients are all done waits for its held ones, so it completes
// when the last of them is released; cancel ends the wait.
func (e *Engine) Release(ctx context.Context, key herald.SubscriberKey) error {
	sub, err := e.store.Subscriber(key)
	if err != nil {
		return fmt.Errorf("dispatch: release %s: %w", key, err)
	}
	e.mu.Lock()
	runners := make([]*runner, 0, len(e.active))
	for _, r := range e.active {
		runners = append(runners, r)
	}
	e.mu.Unlock()
	var errs []error
	for _, r := range runners {
		errs = append(errs, r.release(ctx, sub))
	}
	return errors.Join(errs...)
}

func (r *runner) release(ctx context.Context, sub herald.Subscriber) error {
	if sub.Seq == 0 {
		return nil
	}
	ds, err := r.e.store.Deliveries(r.runID, herald.Held, sub.Seq-1, 1)
	if err != nil {
		return fmt.Errorf("dispatch: release %s: %w", sub.Key(), err)
	}
	if len(ds) == 0 || ds[0].Seq != sub.Seq {
		return nil
	}

	res, ok := r.sendHeld(ctx, sub, ds[0])
	if !ok {
		return ctx.Err()
	}
	if err := r.e.store.RecordOutcomes(r.runID, []herald.Delivery{res}); err != nil {
		return fmt.Errorf("dispatch: release %s: %w", sub.Key(), err)
	}
	if res.Outcome == herald.Failed && res.Reason == herald.ReasonBlocked {
		r.markBlocked(res.Recipient)
	}
	if r.prog.released(res) {
		r.prog.closeHeld()
	}
	r.e.publish(ctx, herald.RunProgress{Progress: r.prog.snapshot(r, r.e.opts.Now())})
	return nil
}

// sendHeld sends one released recipient; ok is false when there is
// nothing to record (the chat opened again, or ctx ended).
func (r *runner) sendHeld(ctx context.Context, sub herald.Subscriber, d herald.Delivery) (herald.Delivery, bool) {
	rt := r.e.routeOf(sub.Key())
	if rt == nil {
		return r.outcome(d, herald.Failed, noSender(sub.AccountOf()).Error(), "", 0), true
	}
	sub, final, ok := r.prepare(d)
	if !ok {
		return final, final.Outcome != herald.Held
	}
	j := r.newJob(rt.single, &sub)
	j.msg.To = []Recipient{{Seq: d.Seq, Key: sub.Key(), Kind: sub.Kind}}
	j.msg.RetryKey = retryKey(r.runID, d.Seq, d.Seq, 1, "held\x00"+contentKey(&j.msg.Content))
	j.try = sendTry{stopped: never} // no channel's queue: it waits out any gap
	id, err := r.e.sendWithRetry(ctx, rt.s, j.lim, &j.msg, &j.try)
	if ctx.Err() != nil {
		return d, false
	}
	o, reason := outcomeOf(err)
	return r.outcome(d, o, reason, id, j.try.attempts), true
}

// countHeld counts the run's held recipients (after a restart the records
// are the only memory of them).
func (r *runner) countHeld() error {
	var after uint32
	n := 0
	for {
		ds, err := r.e.store.Deliveries(r.runID, herald.Held, after, r.e.opts.PageSize)
		if err != nil {
			return err
		}
		n += len(ds)
		if len(ds) < r.e.opts.PageSize {
			break
		}
		after = ds[len(ds)-1].Seq
	}
	r.prog.mu.Lock()
	r.prog.held = n
	r.prog.mu.Unlock()
	return nil
}
