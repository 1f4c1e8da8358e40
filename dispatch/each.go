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
		default:
			o, reason := outcomeOf(err)
			final = append(final, r.outcome(d, o, reason, id, j.try.attempts))
			continue
		}
		j.ds[keep], j.msg.To[keep] = d, j.msg.To[i]
		if j.msg.Contents != nil {
			j.msg.Contents[keep] = j.msg.Contents[i]
		}
		keep++
	}
	if len(final) > 0 {
		out <- final
	}
	temporary := keep - limited
	j.ds, j.msg.To = j.ds[:keep], j.msg.To[:keep]
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
	if err := r.e.opts.Sleep(ctx, wait); err != nil {
		return false, err
	}
	return true, nil
}

// errUnanswered stands for a call a Multicaster's EachError left out.
var errUnanswered = &herald.TemporaryError{Err: errors.New("dispatch: the platform did not answer this recipient's call")}
