package dispatch

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// testSendTimeout bounds one test send, retries and rate-limit waits
// included: an admin is waiting for the answer in the chat.
const testSendTimeout = 30 * time.Second

// SendTest delivers b's message to one test recipient (the admin's own
// account on that platform) as a run would deliver it there: rendered by
// the same code for to's platform, personalised for to, through the same
// sender and its rate limiter, with the same retries and translated errors.
//
// A test is not a run: it creates no run or delivery records, reports
// nothing, and changes no subscriber (a tester in an operator chat stays
// in it; one the platform says is gone is not marked blocked).
//
// Where the sender has a Gate (a messaging window), a tester it admits as
// a reply gets the message as one (Message.Response); otherwise the
// broadcast's own category applies, and a refusal (herald.ErrOutsideWindow)
// says what the tester must do first. A recipient Herald has never heard
// from is herald.ErrNotFound.
//
// b need not be stored (a draft in the wizard); flows calls this through
// its TestSender interface.
func (e *Engine) SendTest(ctx context.Context, b *herald.Broadcast, to herald.SubscriberKey) error {
	p := to.Platform
	if !b.Audience.HasChannel(p) {
		return fmt.Errorf("dispatch: test send to %s: the broadcast does not go out on %s", to, p)
	}
	rt := e.routeOf(to)
	if rt == nil {
		return fmt.Errorf("dispatch: test send to %s: %w", to, errNoSender)
	}
	sub, err := e.store.Subscriber(to)
	if errors.Is(err, herald.ErrNotFound) {
		return fmt.Errorf("dispatch: test send to %s: no subscriber with this ID on %s; message the bot there first, then check /testme: %w", to, p, err)
	}
	if err != nil {
		return fmt.Errorf("dispatch: test send to %s: %w", to, err)
	}
	// The runner's own rendering, so the test shows exactly what the run
	// will send; this runner is never launched.
	r := &runner{e: e, bid: b.ID, b: *b}
	j := r.newJob(rt.single, &sub)
	j.msg.To = []Recipient{{Key: to, Kind: sub.Kind}}
	// A fresh retry key per test: a platform that deduplicates on it would
	// answer a repeated one as already delivered and the second test would
	// never arrive.
	j.msg.RetryKey = retryKey("test:"+rand.Text(), 0, 0, 1, contentKey(&j.msg.Content))
	reply, err := rt.admit(&sub, b.Category, e.opts.Now())
	if err != nil {
		return fmt.Errorf("dispatch: test send to %s: %w, then send the test again", to, err)
	}
	j.msg.Response = reply
	ctx, cancel := context.WithTimeout(ctx, testSendTimeout)
	defer cancel()
	j.try = sendTry{stopped: never} // no channel's queue: it waits out any gap
	_, err = e.sendWithRetry(ctx, rt.s, j.lim, &j.msg, &j.try)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, herald.ErrOutsideWindow):
		return fmt.Errorf("dispatch: test send to %s: the platform refused it outside its messaging window; write to the bot there, then send the test again: %w", to, err)
	case errors.Is(err, herald.ErrRecipientGone):
		return fmt.Errorf("dispatch: test send to %s: the platform says this account blocked the bot or cannot be reached: %w", to, err)
	}
	return fmt.Errorf("dispatch: test send to %s: %w", to, err)
}
