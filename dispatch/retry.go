package dispatch

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/heraldbot/herald"
)

func randFloat() float64 { return rand.Float64() }

// backoffDelay is the wait before try number attempt+1 (attempt ≥ 1):
// capped exponential with full jitter in its upper half, so retries of many
// workers spread out but never come back immediately.
func (o *Options) backoffDelay(attempt int) time.Duration {
	d := o.Backoff.Base << min(attempt-1, 20)
	if d <= 0 || d > o.Backoff.Max {
		d = o.Backoff.Max
	}
	half := d / 2
	return half + time.Duration(o.Jitter()*float64(d-half))
}

// outcomeOf turns a sender's final error into a recipient's outcome.
func outcomeOf(err error) (herald.Outcome, string) {
	switch {
	case err == nil:
		return herald.Sent, ""
	case errors.Is(err, herald.ErrRecipientGone):
		return herald.Failed, herald.ReasonBlocked
	case errors.Is(err, herald.ErrOutsideWindow):
		return herald.Skipped, herald.ReasonOutsideWindow
	}
	return herald.Failed, reasonText(err)
}

// reasonText is the platform's reason, short enough to group in a report.
func reasonText(err error) string {
	var t *herald.TemporaryError
	if errors.As(err, &t) {
		err = t.Err
	}
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// errStopped means the run was paused or canceled while a send waited to
// be retried: the recipient stays pending.
var errStopped = errors.New("dispatch: run stopped")

// sendTry is one message's sending across its turns: a run's job that
// must wait for a chat's gap leaves its worker (*NotYet) and is taken up
// again where it stopped when the gap has passed (lane.go).
type sendTry struct {
	stopped func() bool
	// park answers a chat's gap with *NotYet instead of waiting it out
	// (a run's jobs; a test send or a released recipient waits).
	park bool
	// midway: parts went out before the message parked; it is in flight
	// and finishes even when the run stops meanwhile.
	midway   bool
	firstID  string // of the first part, when a later turn sends the rest
	attempts int
}

// never is the stop check of a send that no run's stop ends.
func never() bool { return false }

// sendWithRetry sends m until it succeeds, fails for good, the run stops,
// or (st.park) a chat's gap must pass first (*NotYet: call again then). A
// 429 waits as told, slows the limiter and is not counted as a try;
// temporary errors back off; anything else is final.
//
// A message of several requests that failed partway (a *PartialError) is
// taken up again where it stopped (Message.FromPart): the parts delivered
// are not sent twice, whatever the platform.
func (e *Engine) sendWithRetry(ctx context.Context, s Sender, lim *limiter, m *Message, st *sendTry) (string, error) {
	resumed := st.midway // the rest of a message that waited: the same try
	for {
		if !st.midway && st.stopped() {
			return "", errStopped
		}
		t, err := lim.begin(ctx, m.To, st.park)
		if err != nil {
			return st.firstID, err
		}
		if !resumed {
			st.attempts++
		}
		resumed = false
		m.Pacer = t
		id, err := s.Send(ctx, m)
		t.done()
		if st.firstID == "" {
			st.firstID = id
		}
		if err == nil {
			lim.Success()
			return st.firstID, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		var partial *PartialError
		if errors.As(err, &partial) {
			m.FromPart = partial.Done
		}
		var ra *herald.RetryAfterError
		var tmp *herald.TemporaryError
		var later *NotYet
		switch {
		case errors.As(err, &later):
			st.midway = true // only a request after the first waits for a gap
			return st.firstID, later
		case errors.As(err, &ra):
			st.attempts-- // a rate limit is not the recipient's failure
			after := max(ra.After, time.Second/10)
			lim.Backoff(after)
			if lim.obs != nil {
				lim.obs.RateLimited(lim.acc)
			}
			if err := e.opts.Sleep(ctx, after); err != nil {
				return "", err
			}
		case errors.As(err, &tmp) && st.attempts < e.opts.Backoff.MaxAttempts:
			if err := e.opts.Sleep(ctx, e.opts.backoffDelay(st.attempts)); err != nil {
				return "", err
			}
		default:
			return "", err
		}
	}
}

// turnOf is one send's hold on the limiter: the token its first request
// took, handed back before each later request of the message takes its
// own (Pace), so a job holds one token at a time and workers never wait
// on each other for a second. A request to a group also holds one of the
// class's group slots, and waits for the group's own gap (lane.go).
type turnOf struct {
	lim   *limiter
	held  bool
	gap   time.Duration // the class's least time between requests to one user chat
	group herald.SubscriberKey
	// isGroup: the message goes to group; slot: it holds a group slot.
	isGroup, slot bool
	// park: a gap is answered with *NotYet, not waited (sendTry.park).
	park bool
	// start is when the held token's request left (with an Observer).
	start time.Time
}

// begin waits until the first request of a message to to may go; with
// park, a group whose gap has not passed is answered *NotYet at once.
func (l *limiter) begin(ctx context.Context, to []Recipient, park bool) (*turnOf, error) {
	t := &turnOf{lim: l, gap: l.gap(to), park: park}
	t.group, t.isGroup = groupOf(to)
	return t, t.take(ctx)
}

// take waits for the group's gap and a group slot (a group's request),
// then for the limiter.
func (t *turnOf) take(ctx context.Context) error {
	if t.isGroup {
		for at := t.lim.groupTurn(t.group); !at.IsZero(); at = t.lim.groupTurn(t.group) {
			if t.park {
				return &NotYet{At: at}
			}
			if err := t.lim.sleep(ctx, at.Sub(t.lim.now())); err != nil {
				return err
			}
		}
		if t.lim.groupSlots != nil {
			select {
			case t.lim.groupSlots <- struct{}{}:
				t.slot = true
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if err := t.lim.Wait(ctx); err != nil {
		t.done()
		return err
	}
	t.held = true
	if t.lim.obs != nil {
		t.start = t.lim.now()
	}
	return nil
}

// Pace implements Pacer: the previous request was answered; the next one
// waits for the class's gap to the same chat (or, parking, answers
// *NotYet), then for the limiter.
func (t *turnOf) Pace(ctx context.Context) error {
	t.done()
	if t.gap > 0 && !t.isGroup { // a group's gap is waited in take
		if t.park {
			return &NotYet{At: t.lim.now().Add(t.gap)}
		}
		if err := t.lim.sleep(ctx, t.gap); err != nil {
			return err
		}
	}
	return t.take(ctx)
}

// done hands back the token and the group slot of an answered request,
// and tells the Observer how long the request took: a request holds its
// token from just before it leaves until it is answered, so each request
// of a message (Pace calls done before the next) is timed on its own.
func (t *turnOf) done() {
	if t.held {
		t.sendDone()
		t.lim.Done()
		t.held = false
		if t.isGroup {
			t.lim.groupAnswered(t.group)
		}
	}
	if t.slot {
		<-t.lim.groupSlots
		t.slot = false
	}
}

// retryNamespace is the UUIDv5 namespace of run retry keys: the ASCII bytes
// "herald-dispatch-", which keys derived before Herald used the uuid package
// hashed first too, so a run resumed across that upgrade keeps its keys.
var retryNamespace = uuid.UUID([]byte("herald-dispatch-"))

// retryKey derives a UUIDv5 from the run, the batch's first and last Seq,
// its size and its content, so a batch sent again after a restart carries
// the same key.
func retryKey(runID string, first, last uint32, n int, content string) string {
	data := make([]byte, 0, 3+len(runID)+12+len(content))
	data = append(data, "v1\x00"...)
	data = append(data, runID...)
	data = binary.BigEndian.AppendUint32(data, first)
	data = binary.BigEndian.AppendUint32(data, last)
	data = binary.BigEndian.AppendUint32(data, uint32(n))
	data = append(data, content...)
	return uuid.NewSHA1(retryNamespace, data).String()
}
