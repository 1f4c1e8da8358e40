package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

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
	// personal: the multicast carries each recipient's own content (a
	// PersonalMulticaster's); fits, when the sender counts requests per
	// content (ContentMulticaster), judges each one's.
	personal bool
	fits     ContentMulticaster
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
	if pg.maxMulti = r.e.multicastSize(rt, &r.b); pg.maxMulti > 1 {
		if pg.personal = !r.e.multicasts(&r.b); !pg.personal {
			pg.shared = contentKey(&r.b.Content)
		}
		pg.fits, _ = rt.s.(ContentMulticaster)
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
	var j *job
	if pg.maxMulti > 1 && sub.Kind != herald.KindGroup && d.PartsDone == 0 {
		if !pg.personal {
			return pg.join(ctx, d, sub, nil, "")
		}
		// Their own content, rendered as for a job of their own: alone
		// when it takes more requests than the multicast carries (their
		// name made the text too long for a template).
		c, preview := r.contentFor(sub)
		if pg.fits == nil || pg.fits.MulticastsOf(&c) {
			return pg.join(ctx, d, sub, &c, preview)
		}
		j = r.jobOf(pg.rt.single, c, preview)
	} else {
		j = r.newJob(pg.rt.single, sub)
	}
	j.started = pg.started
	j.one[0], j.oneTo[0] = d, Recipient{Seq: d.Seq, Key: sub.Key(), Kind: sub.Kind}
	j.ds, j.msg.To = j.one[:], j.oneTo[:]
	j.msg.FromPart = d.PartsDone
	pg.key(j)
	return r.hand(ctx, pg.jobs, pg.q, j)
}

// join adds d to the multicast being filled, handing it out when full. c
// is d's own content when each recipient has one (personal), nil when
// they share it; preview is its Message.LinkPreview.
func (pg *pager) join(ctx context.Context, d herald.Delivery, sub *herald.Subscriber, c *herald.Content, preview string) bool {
	if pg.batch == nil {
		if c != nil {
			pg.batch = pg.r.jobOf(pg.rt.multi, *c, preview)
			pg.batch.msg.Contents = make([]herald.Content, 0, pg.maxMulti)
		} else {
			pg.batch = pg.r.newJob(pg.rt.multi, sub)
		}
		pg.batch.ds = make([]herald.Delivery, 0, pg.maxMulti)
		pg.batch.msg.To = make([]Recipient, 0, pg.maxMulti)
	}
	b := pg.batch
	b.ds = append(b.ds, d)
	b.msg.To = append(b.msg.To, Recipient{Seq: d.Seq, Key: sub.Key(), Kind: sub.Kind})
	if c != nil {
		b.msg.Contents = append(b.msg.Contents, *c)
	}
	return len(b.ds) < pg.maxMulti || pg.flush(ctx)
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
