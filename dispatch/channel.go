package dispatch

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/heraldbot/herald"
)

// job is one request's worth of recipients.
type job struct {
	msg Message
	ds  []herald.Delivery
	lim *limiter
	// started is the in-flight mark of the job's recipients: the request
	// leaves once it is durable (nil: the platform deduplicates).
	started *mark
	try     sendTry
	// each is the state of a multicast answered recipient by recipient
	// (settleEach); nil until it is.
	each *eachState
	// one and oneTo hold the recipient of a job that has one (most
	// jobs): ds and msg.To are views of them, not allocations of their own.
	one   [1]herald.Delivery
	oneTo [1]Recipient
}

// channel sends the run's pending recipients of account acc (its platform's
// default account's channel also takes those of accounts with no sender,
// to fail them): a pager reads
// pending records in Seq order and hands jobs to Options.Workers senders;
// a job that must wait for a chat's gap waits in the channel's due queue
// (lane.go) and comes back to them; outcomes go to out for the group
// commit.
func (r *runner) channel(ctx context.Context, acc herald.Account, out chan<- []herald.Delivery, marks chan<- *mark) {
	rt := r.e.routes[acc]
	jobs := make(chan *job, r.e.opts.Workers)
	q := newDueQueue()
	done := make(chan struct{})
	for range r.e.opts.Workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range jobs {
				r.execute(ctx, rt.s, j, out, q)
			}
		}()
	}
	go r.due(ctx, q, jobs)
	r.page(ctx, acc, rt, jobs, q, out, marks)
	q.close()
	close(jobs)
	for range r.e.opts.Workers {
		<-done
	}
}

// sleepUntil waits for t, or until the run stops (false).
func (r *runner) sleepUntil(ctx context.Context, t time.Time) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-r.stopCh:
			cancel()
		case <-ctx.Done():
		}
	}()
	return r.e.opts.Sleep(ctx, t.Sub(r.e.opts.Now())) == nil && !r.stopped()
}

// hand gives j to the channel's workers; false when the run stopped first.
func (r *runner) hand(ctx context.Context, jobs chan<- *job, q *dueQueue, j *job) bool {
	q.live.Add(1)
	select {
	case jobs <- j:
		return true
	case <-r.stopCh:
	case <-ctx.Done():
	}
	q.live.Done()
	return false
}

// newJob renders the broadcast for one recipient (or, for a multicast,
// the content every recipient shares), to be sent within lim.
func (r *runner) newJob(lim *limiter, sub *herald.Subscriber) *job {
	c, preview := r.contentFor(sub)
	return r.jobOf(lim, c, preview)
}

// contentFor is the broadcast as sub gets it: personalised, with their
// tracked links, and the address a preview of its first link is drawn
// from (Message.LinkPreview).
func (r *runner) contentFor(sub *herald.Subscriber) (c herald.Content, preview string) {
	c = r.b.Content.PersonalizeFor(sub)
	if tracked, links := r.tracking(); tracked {
		if len(links) > 0 {
			preview = c.PreviewTarget(links)
		}
		c = c.TrackLinks(links, func(i int) string { return r.e.opts.TrackLink(r.bid, sub.Seq, i) })
	}
	return c, preview
}

// jobOf is a job sending c within lim.
func (r *runner) jobOf(lim *limiter, c herald.Content, preview string) *job {
	return &job{lim: lim, msg: Message{BroadcastID: r.bid, Content: c, Category: r.b.Category, Tag: r.b.Tag, LinkPreview: preview},
		try: sendTry{stopped: r.stopped, park: true}}
}

// tracking says whether the run's links go out as tracked links
// (Options.TrackLink), and which links its text has (herald.Content.
// TextLinks): worked out once per run, not per recipient.
func (r *runner) tracking() (bool, []herald.Button) {
	r.trackOnce.Do(func() {
		r.tracked = r.e.tracksLinks(&r.b)
		r.links = r.b.Content.TextLinks()
	})
	return r.tracked, r.links
}

// tracksLinks reports whether b's URL buttons and the links in its text
// go out as tracked links.
func (e *Engine) tracksLinks(b *herald.Broadcast) bool {
	return e.opts.TrackLink != nil && b.Content.HasLinks()
}

// multicasts reports whether everyone gets the same message of b,
// neither personalised nor carrying per-recipient tracked links: any
// Multicaster may then send it to many at once (multicastSize), a
// PersonalMulticaster also when not.
func (e *Engine) multicasts(b *herald.Broadcast) bool {
	return !b.Content.Personalized() && !e.tracksLinks(b)
}

// prepare reads the recipient's subscriber as it is now and decides the
// outcomes that need no request: gone, unsubscribed, held for an operator
// chat, refused by the sender's gate (a messaging window), or reached
// under another ID. The subscriber's key is where to send: a chat that
// moved to a new ID (a sender recorded the move) is found under its old
// one.
func (r *runner) prepare(d herald.Delivery) (herald.Subscriber, herald.Delivery, bool) {
	sub, err := r.e.store.Subscriber(d.Recipient)
	final, ok := r.decide(d, &sub, err)
	return sub, final, ok
}

// decide is prepare with the subscriber already read (err: how that went).
// sub points into the chunk read (handChunks): a copy of its own, given
// to the Gate, was one more allocation per recipient.
func (r *runner) decide(d herald.Delivery, sub *herald.Subscriber, err error) (herald.Delivery, bool) {
	switch {
	case errors.Is(err, herald.ErrNotFound):
		return r.outcome(d, herald.Skipped, herald.ReasonUnsubscribed, "", 0), false
	case err != nil:
		return r.outcome(d, herald.Failed, reasonText(err), "", 0), false
	case sub.Seq != d.Seq && r.hasRecipient(sub.Seq):
		// The chat was known under two IDs and merged: the run's other
		// delivery reaches it.
		return r.outcome(d, herald.Skipped, herald.ReasonDuplicate, "", 0), false
	case sub.State == herald.Blocked:
		return r.outcome(d, herald.Skipped, herald.ReasonBlocked, "", 0), false
	case !sub.Reachable():
		return r.outcome(d, herald.Skipped, herald.ReasonUnsubscribed, "", 0), false
	case r.b.Step != nil && slices.ContainsFunc(r.b.Step.ExitTags, sub.HasTag):
		return r.outcome(d, herald.Skipped, herald.ReasonExitTag, "", 0), false
	case sub.OperatorChat && !r.b.EndOperatorChats:
		return r.outcome(d, herald.Held, herald.ReasonOperatorChat, "", 0), false
	}
	if _, err := r.e.routeOf(sub.Key()).admit(sub, r.b.Category, r.e.opts.Now()); err != nil {
		o, reason := outcomeOf(err)
		return r.outcome(d, o, reason, "", 0), false
	}
	if sub.OperatorChat { // EndOperatorChats: the broadcast closes the chat
		if _, err := r.e.store.UpdateSubscriber(sub.Key(), func(s *herald.Subscriber, _ bool) error {
			s.OperatorChat = false
			return nil
		}); err != nil {
			r.logErr("dispatch: end operator chat", err)
		}
	}
	return d, true
}

// execute sends one job and hands its outcomes to the committer, or
// parks it in q until a chat's gap has passed (*NotYet). A job the run
// stopped before sending leaves its recipients pending.
func (r *runner) execute(ctx context.Context, s Sender, j *job, out chan<- []herald.Delivery, q *dueQueue) {
	var later *NotYet
	if err := r.send(ctx, s, j, out); errors.As(err, &later) {
		r.park(q, j, later.At, out)
		return
	}
	q.live.Done()
}

// send is one turn of execute: it returns *NotYet when the job must wait.
func (r *runner) send(ctx context.Context, s Sender, j *job, out chan<- []herald.Delivery) error {
	if !j.started.wait() {
		return nil
	}
	id, err := r.e.sendWithRetry(ctx, s, j.lim, &j.msg, &j.try)
	if errors.Is(err, ErrRecipientMoved) && len(j.ds) == 1 {
		// The sender recorded the move: send where the chat lives now, once.
		sub, final, ok := r.prepare(j.ds[0])
		if !ok {
			final.Attempts += j.try.attempts
			out <- []herald.Delivery{final}
			return nil
		}
		j.msg.To[0].Key = sub.Key()
		id, err = r.e.sendWithRetry(ctx, s, j.lim, &j.msg, &j.try)
	}
	var each *EachError
	for errors.As(err, &each) { // a multicast answered recipient by recipient
		more, werr := r.settleEach(ctx, j, each, out)
		if !more && werr == nil {
			return nil
		}
		if werr != nil {
			err = werr
			break
		}
		id, err = r.e.sendWithRetry(ctx, s, j.lim, &j.msg, &j.try)
	}
	var later *NotYet
	switch {
	case errors.As(err, &later):
		return err
	case errors.Is(err, errStopped) || ctx.Err() != nil:
		if j.try.attempts > 0 && j.started != nil {
			r.unknown.add(j.unsure()) // a request left: it may have arrived
		}
		return nil
	}
	attempts := j.try.attempts
	o, reason := outcomeOf(err)
	var partial *PartialError
	errors.As(err, &partial)
	res := j.ds // the job's own: its outcomes take the records' place
	for i, d := range res {
		res[i] = r.outcome(d, o, reason, id, attempts)
		if partial != nil && o == herald.Failed {
			res[i].PartsDone = partial.Done
		}
	}
	out <- res
	return nil
}

func (r *runner) outcome(d herald.Delivery, o herald.Outcome, reason, msgID string, attempts int) herald.Delivery {
	d.Outcome, d.Reason, d.MessageID, d.At = o, reason, msgID, r.e.opts.Now()
	d.Attempts += attempts
	return d
}

// hasRecipient reports whether seq is one of the run's recipients.
func (r *runner) hasRecipient(seq uint32) bool {
	ds, err := r.e.store.Deliveries(r.runID, "", seq-1, 1)
	return err == nil && len(ds) == 1 && ds[0].Seq == seq
}
