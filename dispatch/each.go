package dispatch

import (
	"context"
	"errors"
	"time"

	"github.com/heraldbot/herald"
)

// settleEach takes a request answered recipient by recipient (*EachError):
// it hands the final outcomes to the committer at once and keeps in j
// only the recipients to send again (with their own contents, when each
// has one), those whose calls were rate limited
// or temporary (while tries are left), after waiting as sendWithRetry
// would for the whole request: a rate limit slows the limiter, waits what
// the platform said and is not a try; a temporary failure backs off. more
// is false when nobody is left, or when the wait ended with ctx or the
// run's stop (err: the recipients left stay pending).
func (r *runner) settleEach(ctx context.Context, j *job, each *EachError, out chan<- []herald.Delivery) (more bool, err error) {
	if j.each == nil {
		j.each = &eachState{reached: make([]bool, len(j.ds))}
	}
	reached := j.each.reached
	var final []herald.Delivery
	var after time.Duration
	limited, keep := 0, 0
	for i, d := range j.ds {
		id, err := "", error(errUnanswered)
		if i < len(each.Errs) {
			err = each.Errs[i]
		}
		if i < len(each.IDs) {
			id = each.IDs[i]
		}
		var ra *herald.RetryAfterError
		var tmp *herald.TemporaryError
		switch {
		case errors.As(err, &ra):
			limited++
			after = max(after, ra.After)
		case errors.As(err, &tmp) && j.try.attempts < r.e.opts.Backoff.MaxAttempts:
			reached[i] = true // like a timed-out request's, the call may have arrived
		default:
			o, reason := outcomeOf(err)
			final = append(final, r.outcome(d, o, reason, id, j.try.attempts))
			continue
		}
		j.ds[keep], j.msg.To[keep], reached[keep] = d, j.msg.To[i], reached[i]
		if j.msg.Contents != nil {
			j.msg.Contents[keep] = j.msg.Contents[i]
		}
		keep++
	}
	if len(final) > 0 {
		out <- final
	}
	temporary := keep - limited
	j.ds, j.msg.To, j.each.reached = j.ds[:keep], j.msg.To[:keep], reached[:keep]
	if j.msg.Contents != nil {
		j.msg.Contents = j.msg.Contents[:keep]
		if keep > 0 {
			j.msg.Content = j.msg.Contents[0] // Message.Content is the first's
		}
	}
	lim := j.lim
	if limited == 0 {
		lim.Success()
	}
	if keep == 0 {
		return false, nil
	}
	wait := r.e.opts.backoffDelay(j.try.attempts)
	if limited > 0 {
		if temporary == 0 {
			j.try.attempts-- // a rate limit is not the recipients' failure
		}
		wait = max(after, time.Second/10)
		lim.Backoff(wait)
		for range limited {
			if lim.obs != nil {
				lim.obs.RateLimited(lim.acc)
			}
		}
	}
	j.each.attempts = j.try.attempts
	if err := r.e.opts.Sleep(ctx, wait); err != nil {
		return false, err
	}
	return true, nil
}

// eachState is what a job answered recipient by recipient (settleEach)
// knows of the recipients it still sends.
type eachState struct {
	// reached[i]: a call to ds[i] may have arrived (it did not complete,
	// or failed temporarily); a rate-limited call did not.
	reached []bool
	// attempts is try.attempts when they were settled: more means a
	// request to all of them left since.
	attempts int
}

// unsure is those of j's recipients a request to may have reached, when
// its run stops before their outcome is known: all of them, unless the
// last request answered each one's call (settleEach) and no other left
// since; then those whose calls may have arrived, not those rate limited
// (nothing reached them: they are sent on resume, never uncertain).
func (j *job) unsure() []herald.Delivery {
	if j.each == nil || j.try.attempts != j.each.attempts {
		return j.ds
	}
	var ds []herald.Delivery
	for i, d := range j.ds {
		if j.each.reached[i] {
			ds = append(ds, d)
		}
	}
	return ds
}

// errUnanswered stands for a call a Multicaster's EachError left out.
var errUnanswered = &herald.TemporaryError{Err: errors.New("dispatch: the platform did not answer this recipient's call")}
