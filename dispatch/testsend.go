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
// On Messenger a tester who wrote to the page within 24 hours gets the
// message as a RESPONSE; otherwise the broadcast's own category applies: a
// tagged non-marketing message goes out with its tag, a marketing one is
// refused with herald.ErrOutsideWindow (the tester must message the page
// first). A recipient Herald has never heard from is herald.ErrNotFound.
//
// b need not be stored (a draft in the wizard); flows calls this through
// its TestSender interface.
func (e *Engine) SendTest(ctx context.Context, b *herald.Broadcast, to herald.SubscriberKey) error {
	p := to.Platform
	if !b.Audience.HasChannel(p) {
		return fmt.Errorf("dispatch: test send to %s: the broadcast does not go out on %s", to, p)
	}
	s := e.senders[p]
	if s == nil {
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
	j := r.newJob(p, "push", &sub)
	j.msg.To = []Recipient{{Key: to, Kind: sub.Kind}}
	// A fresh retry key per test: LINE would answer a repeated one as
	// already delivered and the second test would never arrive.
	j.msg.RetryKey = retryKey("test:"+rand.Text(), 0, 0, 1, contentKey(&j.msg.Content))
	if p == herald.Messenger {
		switch {
		case sub.InWindow(e.opts.Now()):
			j.msg.Response = true
		case b.Category != herald.NonMarketing:
			return fmt.Errorf("dispatch: test send to %s: %s, so Messenger allows no marketing message; message the page, then send the test again: %w",
				to, lastWrote(sub.LastInteraction, e.opts.Now()), herald.ErrOutsideWindow)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, testSendTimeout)
	defer cancel()
	_, _, err = e.sendWithRetry(ctx, s, j.lim, &j.msg, func() bool { return false })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, herald.ErrOutsideWindow):
		return fmt.Errorf("dispatch: test send to %s: Messenger refused it outside the messaging window; message the page, then send the test again: %w", to, err)
	case errors.Is(err, herald.ErrRecipientGone):
		return fmt.Errorf("dispatch: test send to %s: the platform says this account blocked the bot or cannot be reached: %w", to, err)
	}
	return fmt.Errorf("dispatch: test send to %s: %w", to, err)
}

// lastWrote says when a Messenger tester last wrote to the page.
func lastWrote(last, now time.Time) string {
	if last.IsZero() {
		return "this account has never written to the page"
	}
	return fmt.Sprintf("this account last wrote to the page %s ago, outside the 24-hour window", now.Sub(last).Round(time.Minute))
}
