package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// pager hands one channel's pending recipients to the senders.
type pager struct {
	r        *runner
	acc      herald.Account
	rt       *route // nil: no sender for the account
	jobs     chan<- *job
	q        *dueQueue
	out      chan<- []herald.Delivery
	size     int
	maxMulti int  // recipients per multicast; 0: push one by one
	batch    *job // the multicast being filled
	// marks takes the chunks of recipients to mark in flight before their
	// requests leave (nil: the platform deduplicates, see Deduplicator);
	// started is the mark of the chunk being handed out.
	marks   chan<- *mark
	started *mark
	// shared is the retry key's view of the content when every recipient
	// gets the same (nothing personal, no tracked links): built once.
	shared string
	// keyed: the sender deduplicates, so its messages carry retry keys
	// (no other sender reads them: a key per recipient cost a hash).
	keyed bool
}

// page feeds jobs until the channel's pending records are all handed out or
// the run stops. Batches for a multicast are formed the same way every time
// from the same pending records, so their retry keys repeat after a restart.
//
// Recipients waiting for their local time (NotBefore) are handed out in
// passes: each pass takes those due since the previous one, then the pager
// sleeps until the next is due. Those due before the previous pass were
// handed out then (in flight or committed), so a pass never sends anyone
// twice; a restarted run begins again with no lower bound.
func (r *runner) page(ctx context.Context, acc herald.Account, rt *route, jobs chan<- *job, q *dueQueue, out chan<- []herald.Delivery, marks chan<- *mark) {
	pg := &pager{r: r, acc: acc, rt: rt, jobs: jobs, q: q, out: out, size: r.e.opts.PageSize}
	if rt != nil && !deduplicates(rt.s) {
		pg.marks = marks
	}
	pg.keyed = rt != nil && pg.marks == nil
	if rt != nil && r.e.multicasts(&r.b) {
		pg.maxMulti = rt.maxMulti
		pg.shared = contentKey(&r.b.Content)
	}
	var lower time.Time
	for {
		upper := r.e.opts.Now()
		next, ok := pg.pass(ctx, lower, upper)
		if !ok || !pg.flush(ctx) || next.IsZero() || !r.sleepUntil(ctx, next) {
			return
		}
		lower = upper
	}
}

// flush hands out the multicast being filled, if any.
func (pg *pager) flush(ctx context.Context) bool {
	j := pg.batch
	if j == nil {
		return !pg.r.stopped()
	}
	pg.batch = nil
	j.started = pg.started // marks commit in order: the latest covers the batch
	pg.key(j)
	return pg.r.hand(ctx, pg.jobs, pg.q, j)
}

// pass hands out the pending recipients due in (lower, upper] (every due
// one when lower is zero) and returns the earliest NotBefore still ahead;
// ok is false when the run stopped or storage failed.
func (pg *pager) pass(ctx context.Context, lower, upper time.Time) (next time.Time, ok bool) {
	r := pg.r
	var after uint32
	for !r.stopped() {
		ds, err := r.e.store.PendingDeliveries(r.runID, pg.acc.Platform, after, pg.size)
		if err != nil {
			r.logErr("dispatch: read pending", err)
			r.stop(stopShutdown)
			return next, false
		}
		due := ds[:0]
		for _, d := range ds {
			after = d.Seq
			switch {
			case !pg.takes(d.Recipient):
				continue // another account's channel sends it
			case d.NotBefore.After(upper):
				if next.IsZero() || d.NotBefore.Before(next) {
					next = d.NotBefore
				}
				continue
			case !lower.IsZero() && !d.NotBefore.After(lower):
				continue // handed out by an earlier pass
			}
			due = append(due, d)
		}
		if !pg.handChunks(ctx, due) {
			return next, false
		}
		if len(ds) < pg.size {
			break
		}
	}
	return next, !r.stopped()
}

// handOut sends one due recipient on its way: alone, or into the multicast.
// sub and err are its subscriber as read for its chunk (handChunks).
func (pg *pager) handOut(ctx context.Context, d herald.Delivery, sub *herald.Subscriber, err error) bool {
	r := pg.r
	if r.stopped() {
		return false
	}
	if pg.rt == nil || d.Recipient.Account != pg.acc.Name {
		pg.out <- []herald.Delivery{r.outcome(d, herald.Failed, noSender(d.Recipient.AccountOf()).Error(), "", 0)}
		return true
	}
	final, ok := r.decide(d, sub, err)
	if !ok {
		pg.out <- []herald.Delivery{final}
		return true
	}
	// Someone who has the first parts of the message from an earlier run
	// gets the rest on their own: a multicast sends the same parts to all.
	if pg.maxMulti > 1 && sub.Kind != herald.KindGroup && d.PartsDone == 0 {
		if pg.batch == nil {
			pg.batch = r.newJob(pg.rt.multi, sub)
			pg.batch.ds = make([]herald.Delivery, 0, pg.maxMulti)
			pg.batch.msg.To = make([]Recipient, 0, pg.maxMulti)
		}
		b := pg.batch
		b.ds = append(b.ds, d)
		b.msg.To = append(b.msg.To, Recipient{Seq: d.Seq, Key: sub.Key(), Kind: sub.Kind})
		return len(b.ds) < pg.maxMulti || pg.flush(ctx)
	}
	j := r.newJob(pg.rt.single, sub)
	j.started = pg.started
	j.one[0], j.oneTo[0] = d, Recipient{Seq: d.Seq, Key: sub.Key(), Kind: sub.Kind}
	j.ds, j.msg.To = j.one[:], j.oneTo[:]
	j.msg.FromPart = d.PartsDone
	pg.key(j)
	return r.hand(ctx, pg.jobs, pg.q, j)
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
	c := r.b.Content.PersonalizeFor(sub)
	var preview string
	if tracked, links := r.tracking(); tracked {
		if len(links) > 0 {
			preview = c.PreviewTarget(links)
		}
		c = c.TrackLinks(links, func(i int) string { return r.e.opts.TrackLink(r.bid, sub.Seq, i) })
	}
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

// multicasts reports whether b's users may share a request (a
// Multicaster's): only when everyone gets the same message, neither
// personalised nor carrying per-recipient tracked links.
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
	var later *NotYet
	switch {
	case errors.As(err, &later):
		return err
	case errors.Is(err, errStopped) || ctx.Err() != nil:
		if j.try.attempts > 0 && j.started != nil {
			r.unknown.add(j.ds) // a request left: it may have arrived
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

// key gives j its retry key, when the sender reads one (keyed).
func (pg *pager) key(j *job) {
	if pg.keyed {
		ds := j.ds
		j.msg.RetryKey = retryKey(pg.r.runID, ds[0].Seq, ds[len(ds)-1].Seq, len(ds), pg.contentKey(&j.msg.Content))
	}
}

// contentKey is contentKey(c) for a job of the pager's.
func (pg *pager) contentKey(c *herald.Content) string {
	if pg.shared != "" {
		return pg.shared
	}
	return contentKey(c)
}

// contentKey is the content as the retry key sees it.
func contentKey(c *herald.Content) string {
	var b strings.Builder
	b.WriteString(string(c.Kind))
	b.WriteByte(0)
	b.WriteString(c.Title)
	b.WriteByte(0)
	b.WriteString(c.Text)
	for _, im := range c.Images {
		b.WriteByte(0)
		b.WriteString(im.URL + im.MediaID)
	}
	for _, bt := range c.Buttons {
		b.WriteByte(0)
		b.WriteString(bt.ID + bt.Label + bt.URL)
	}
	// Formatting and cards, only when there are some, so that content
	// without them keeps the keys it had before they existed.
	for _, sp := range c.Spans {
		fmt.Fprintf(&b, "\x00%d-%d%s%s", sp.Start, sp.End, sp.Style, sp.URL)
	}
	for _, k := range c.Cards {
		b.WriteString("\x00" + k.Title + "\x00" + k.Text + "\x00" + k.Image.URL + k.Image.MediaID)
	}
	return b.String()
}
