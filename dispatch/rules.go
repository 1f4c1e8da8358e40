package dispatch

import (
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// RateClass is one rate limit that a sender's requests count against, as
// the sender declares it. The engine keeps one limiter per class name and
// knows nothing else of the platform behind it, so a new platform brings
// its own classes.
type RateClass struct {
	// Name keys the limiter (senders sharing a name share it) and
	// Limits.PerSecond's override; unique among an engine's senders.
	Name string
	// PerSecond is the platform's published rate in requests per second;
	// 0 is no limit.
	PerSecond float64
	// ChatGap and GroupGap are the least time between two requests of one
	// message to the same user chat, and to the same group chat (content
	// that takes several requests); 0 is no gap.
	ChatGap, GroupGap time.Duration
}

// Rates are the classes a sender's requests count against.
type Rates struct {
	// Single is the class of a request to one recipient.
	Single RateClass
	// Multicast is the class of a request to several recipients (a
	// Multicaster's); with no Name, multicasts count against Single.
	Multicast RateClass
}

// RateLimited is a Sender that declares its rate classes. A sender without
// it is not rate limited (its limiter is named by its platform, so
// Limits.PerSecond can still set one).
type RateLimited interface {
	Rates() Rates
}

// Gate is a Sender with rules on whom a broadcast may reach, known before
// any request (a messaging window that only some message categories may
// pass): a run skips whom the gate refuses, and a test send explains why.
type Gate interface {
	// Admit says whether sub may get a message of category cat at now. A
	// refusal wraps a root error (herald.ErrOutsideWindow) and says, in
	// words an admin can act on, what would let the message through.
	// reply is true when sub may get it as an answer to their own message
	// (Message.Response), which a test send uses.
	Admit(sub *herald.Subscriber, cat herald.Category, now time.Time) (reply bool, err error)
}

// route is one platform's sender as the engine uses it: the limiters of
// its classes, its multicast size and its gate.
type route struct {
	s             Sender
	single, multi *limiter
	maxMulti      int // recipients per multicast; 0: one by one
	gate          Gate
}

// AccountClass is the name of a named account's rate class (class
// "line-push" of account "shop" is "line-push@shop"), by which
// Limits.PerSecond sets its rate; the default account's is class itself.
func AccountClass(class, account string) string {
	if account == "" {
		return class
	}
	return class + "@" + account
}

// newRoutes builds the routes of the senders of default accounts (by
// platform) and named ones, one limiter per class name.
func newRoutes(senders map[herald.Platform]Sender, named map[herald.Account]Sender, opts *Options) map[herald.Account]*route {
	lims := map[string]*limiter{}
	// A class's name is its account's (AccountClass): its limiter is of
	// one channel, whose requests the Observer hears.
	limiterOf := func(c RateClass, acc herald.Account) *limiter {
		if l := lims[c.Name]; l != nil {
			return l
		}
		rate := c.PerSecond
		if opts.Limits.Off {
			rate = 0
		}
		if r, ok := opts.Limits.PerSecond[c.Name]; ok {
			rate = r
		}
		l := newLimiter(rate, opts.Limits.Headroom, opts.Now, opts.Sleep)
		l.chatGap, l.groupGap = c.ChatGap, c.GroupGap
		l.groupSlots = make(chan struct{}, max(1, opts.Workers/4))
		l.obs, l.acc = opts.Observer, acc
		lims[c.Name] = l
		return l
	}
	all := make(map[herald.Account]Sender, len(senders)+len(named))
	for p, s := range senders {
		all[herald.Account{Platform: p}] = s
	}
	for acc, s := range named {
		all[acc] = s
	}
	out := make(map[herald.Account]*route, len(all))
	for acc, s := range all {
		if s == nil {
			continue
		}
		var rates Rates
		if rl, ok := s.(RateLimited); ok {
			rates = rl.Rates()
		}
		if rates.Single.Name == "" {
			rates.Single.Name = string(acc.Platform)
		}
		rates.Single.Name = AccountClass(rates.Single.Name, acc.Name)
		if rates.Multicast.Name != "" {
			rates.Multicast.Name = AccountClass(rates.Multicast.Name, acc.Name)
		}
		rt := &route{s: s, single: limiterOf(rates.Single, acc)}
		rt.multi = rt.single
		if rates.Multicast.Name != "" {
			rt.multi = limiterOf(rates.Multicast, acc)
		}
		if m, ok := s.(Multicaster); ok {
			rt.maxMulti = m.MaxMulticast()
			if n := opts.Limits.MulticastSize; n > 0 && n < rt.maxMulti {
				rt.maxMulti = n
			}
		}
		rt.gate, _ = s.(Gate)
		out[acc] = rt
	}
	return out
}

// routeOf is the route that sends to k's account (nil: none configured).
func (e *Engine) routeOf(k herald.SubscriberKey) *route { return e.routes[k.AccountOf()] }

// accountsOn lists the accounts of platform p that have a sender, the
// default account first; just the default account when p has none, so
// that its recipients fail with a reason rather than wait for ever.
func (e *Engine) accountsOn(p herald.Platform) []herald.Account {
	out := []herald.Account{{Platform: p}}
	for acc := range e.routes {
		if acc.Platform == p && acc.Name != "" {
			out = append(out, acc)
		}
	}
	slices.SortFunc(out[1:], func(a, b herald.Account) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// takes reports whether the pager's channel sends to k: k is of its
// account, or the pager is its platform's default account's and k's
// account has no sender (to fail it with the reason).
func (pg *pager) takes(k herald.SubscriberKey) bool {
	if k.Account == pg.acc.Name {
		return true
	}
	return pg.acc.Name == "" && pg.r.e.routeOf(k) == nil
}

// multicastSize is how many of b's users one request of rt carries: its
// multicast size when the sender can carry b's content to many at once
// (everyone gets the same, or it is a PersonalMulticaster) and that
// content takes one request per person where the sender counts
// (ContentMulticaster), else 0 (one by one). The pager and Estimate both
// ask it.
func (e *Engine) multicastSize(rt *route, b *herald.Broadcast) int {
	if rt == nil || rt.maxMulti <= 1 || !e.multicasts(b) && !multicastsPersonal(rt.s) {
		return 0
	}
	if cm, ok := rt.s.(ContentMulticaster); ok && !cm.MulticastsOf(&b.Content) {
		return 0
	}
	return rt.maxMulti
}

// multicastsPersonal reports whether s carries each recipient's own
// content in one request (PersonalMulticaster).
func multicastsPersonal(s Sender) bool {
	pm, ok := s.(PersonalMulticaster)
	return ok && pm.MulticastsPersonal()
}

// admit applies the route's gate, if any, to sub.
func (rt *route) admit(sub *herald.Subscriber, cat herald.Category, now time.Time) (bool, error) {
	if rt == nil || rt.gate == nil {
		return false, nil
	}
	return rt.gate.Admit(sub, cat, now)
}
