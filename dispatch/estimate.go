package dispatch

import (
	"time"

	"github.com/heraldbot/herald"
)

// PartCounter is a Sender whose message may take several requests to one
// recipient (an album, then the text with its buttons; more pictures than
// one request holds): Parts says how many content takes, as Send would
// send it. Estimate counts them; a sender without it takes one.
type PartCounter interface {
	Parts(c *herald.Content) int
}

// Estimate is how long sending b to users and groups of account acc takes
// at the engine's configured limits (that account's: a platform's
// accounts send in parallel, each at its own rate), before any of it
// starts: the summary's preflight says it per channel, as the progress
// message says the time left while sending. It counts requests the way a
// run makes them: users share multicasts of the sender's size when b
// allows it (multicastSize, the pager's rule: a Messenger batch counts as
// one request of its class, whose rate is the messages' divided by the
// batch size, and carries personalised messages too), groups go one by
// one, and every message takes the sender's Parts; each class spends them
// at its rate with the engine's headroom, classes in parallel. A message
// of several parts also waits the class's gap between them to one chat (a
// group's is longest). Time spent on the network, retries and 429s is not
// counted: it is a floor, and 0 when the account has no limit or no sender.
func (e *Engine) Estimate(b *herald.Broadcast, acc herald.Account, users, groups int) time.Duration {
	rt := e.routes[acc]
	if rt == nil || users+groups <= 0 {
		return 0
	}
	parts := 1
	if pc, ok := rt.s.(PartCounter); ok {
		parts = max(1, pc.Parts(&b.Content))
	}
	// Requests per limiter: the same limiter may serve both kinds.
	spend := map[*limiter]int{}
	if n := e.multicastSize(rt, b); n > 1 {
		spend[rt.multi] += (users + n - 1) / n * parts
	} else {
		spend[rt.single] += users * parts
	}
	spend[rt.single] += groups * parts
	var d time.Duration
	for l, n := range spend {
		d = max(d, time.Duration(n)*l.base)
	}
	if parts > 1 {
		gap := rt.single.chatGap
		if groups > 0 {
			gap = max(gap, rt.single.groupGap)
		}
		d = max(d, time.Duration(parts-1)*gap)
	}
	return d
}
