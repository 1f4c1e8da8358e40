package broadcasts

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// Errors of A/B tests the doors translate.
var (
	// ErrNotTest: the broadcast is not an A/B test.
	ErrNotTest = errors.New("broadcasts: not an A/B test")
	// ErrNotSent: the test's variants have not gone out yet.
	ErrNotSent = errors.New("broadcasts: A/B variants not sent yet")
	// ErrDecided: the test's winner was picked already (or, with no
	// Winner, the test was canceled while it waited).
	ErrDecided = errors.New("broadcasts: A/B winner already picked")
)

// partIDLen is the length of the IDs drawn for a test's variants and
// rest, long enough that a collision with another broadcast is unheard of.
const partIDLen = 6

// system is the scheduler acting on a test's own time.
var system = Actor{Key: "system"}

// StartVariants makes the broadcasts of an A/B test's variants B.. as its
// own broadcast (variant A) starts, each to its band and due now, and
// sets when the winner is picked. The scheduler calls it before starting
// the test; after a restart it is called again and makes only what is
// missing (the IDs are drawn and saved first).
func (s *Service) StartVariants(ctx context.Context, id string) (herald.Broadcast, error) {
	now := s.opts.Now()
	p, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		t := b.Test
		if t == nil {
			return ErrNotTest
		}
		for len(t.Children) < len(t.Variants) {
			t.Children = append(t.Children, herald.NewBroadcastID(partIDLen))
		}
		if t.DecideAt.IsZero() {
			t.DecideAt = now.Add(t.Wait)
		}
		return nil
	})
	if err != nil {
		return p, wrap("start variants of", id, err)
	}
	for i, cid := range p.Test.Children {
		c := part(&p, cid, p.Test.Variants[i], p.Test.Band(i+2), herald.ABPart{Test: p.ID, Variant: i + 2})
		if err := s.makePart(ctx, &c); err != nil {
			return p, err
		}
	}
	return p, nil
}

// part is one broadcast of test p: its ID, content, sample and place,
// due now, named after the test ("Sale · B").
func part(p *herald.Broadcast, id string, c herald.Content, sm *herald.Sample, at herald.ABPart) herald.Broadcast {
	b := *p
	b.ID, b.Content, b.Test, b.ABPart, b.Runs = id, c, nil, &at, 0
	b.Audience.Sample = sm
	b.Schedule = herald.Schedule{Kind: herald.SendAt, At: p.Test.DecideAt.Add(-p.Test.Wait), Quiet: p.Schedule.Quiet}
	name := " · " + herald.VariantLetter(at.Variant)
	if at.Rest {
		name = " · ★" + herald.VariantLetter(at.Variant)
	}
	base := []rune(p.Name)
	b.Name = string(base[:min(len(base), herald.MaxNameLen-len([]rune(name)))]) + name
	b.Status, b.UpdatedBy, b.ApprovedBy = herald.StatusScheduled, system.Key, p.ApprovedBy
	return b
}

// makePart saves a test's part under its drawn ID and publishes it, so
// the scheduler sends it; one made before a restart is left as it is.
func (s *Service) makePart(ctx context.Context, b *herald.Broadcast) error {
	err := s.opts.Store.CreateBroadcast(b)
	if errors.Is(err, herald.ErrConflict) {
		old, rerr := s.opts.Store.Broadcast(b.ID)
		if rerr == nil && old.ABPart != nil && old.ABPart.Test == b.ABPart.Test {
			return nil
		}
	}
	if err != nil {
		return wrap("make A/B part", b.ID, err)
	}
	s.changed(ctx, system, "schedule", "part of "+b.ABPart.Test, herald.BroadcastChanged{Broadcast: *b})
	return nil
}

// DecideTest is an A/B test's time coming (the scheduler calls it at
// DecideAt): the variant with the best rate of unique taps and clicks
// goes to the rest; with no taps at all the test's chat is asked to pick.
// It is safe to call again: a test decided before a restart only gets
// its rest made if that was missing, an asked one is not asked twice. A
// paused test waits to be resumed; a canceled one sends no rest.
func (s *Service) DecideTest(ctx context.Context, id string) error {
	p, err := s.opts.Store.Broadcast(id)
	if err != nil {
		return wrap("decide", id, err)
	}
	t := p.Test
	switch {
	case !t.Pending():
		return nil
	case t.Winner != 0:
		_, err := s.makeRest(ctx, &p)
		return err
	case p.Status == herald.StatusCanceled:
		_, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
			b.Test.Done = true
			return nil
		})
		return wrap("close canceled test", id, err)
	case t.Asked:
		return nil
	case p.Status == herald.StatusPaused:
		// Held: resuming it plans the decision again, then overdue.
		return nil
	}
	results, err := s.TestResults(&p)
	if err != nil {
		return err
	}
	if w := herald.PickWinner(results); w != 0 {
		_, err := s.pick(ctx, id, w, results, system)
		return err
	}
	p, err = s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		b.Test.Asked = true
		return nil
	})
	if err != nil {
		return wrap("ask for A/B winner", id, err)
	}
	s.audit(system.Key, "ab.ask", id, "nobody tapped")
	s.publish(ctx, herald.ABDecided{Test: p, Results: results})
	return nil
}

// PickVariant is an admin picking an A/B test's winner (1 is A) once its
// variants went out: when nobody tapped, or before the wait is over.
// ErrDecided: it was picked already.
func (s *Service) PickVariant(ctx context.Context, id string, variant int, who Actor) (herald.Broadcast, error) {
	p, err := s.opts.Store.Broadcast(id)
	if err != nil {
		return p, wrap("pick", id, err)
	}
	results, err := s.TestResults(&p)
	if err != nil {
		return p, err
	}
	return s.pick(ctx, id, variant, results, who)
}

// pick saves the winner and draws the rest's ID in one transaction, then
// makes the rest.
func (s *Service) pick(ctx context.Context, id string, w int, results []herald.VariantResult, who Actor) (herald.Broadcast, error) {
	p, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		t := b.Test
		switch {
		case t == nil:
			return ErrNotTest
		case t.Winner != 0 || t.Done: // picked, or called off
			return ErrDecided
		case len(t.Children) < len(t.Variants):
			return ErrNotSent
		case w < 1 || w > t.N():
			return &herald.ValidationError{Field: "ab_test.winner", Code: herald.CodeInvalid}
		}
		t.Winner, t.Rest, t.By = w, herald.NewBroadcastID(partIDLen), who.Key
		return nil
	})
	if err != nil {
		return p, wrap("pick", id, err)
	}
	s.audit(who.Key, "ab.pick", id, herald.VariantLetter(w))
	rest, err := s.makeRest(ctx, &p)
	if err != nil {
		return p, err
	}
	s.publish(ctx, herald.ABDecided{Test: p, Results: results, Winner: w, Rest: rest, By: who.Key})
	return p, nil
}

// makeRest makes the broadcast of the winner to the rest, due now, and
// marks the test done. The rest has no sample: the dispatcher leaves out
// everyone a variant's runs were for (see dispatch's variantRecipients),
// so whoever joined since gets the winner, whatever their band.
func (s *Service) makeRest(ctx context.Context, p *herald.Broadcast) (herald.Broadcast, error) {
	t := p.Test
	c := p.Content
	if t.Winner > 1 {
		c = t.Variants[t.Winner-2]
	}
	rest := part(p, t.Rest, c, nil, herald.ABPart{Test: p.ID, Variant: t.Winner, Rest: true})
	rest.Schedule.At = s.opts.Now()
	if err := s.makePart(ctx, &rest); err != nil {
		return rest, err
	}
	_, err := s.opts.Store.UpdateBroadcast(p.ID, func(b *herald.Broadcast) error {
		b.Test.Done = true
		return nil
	})
	return rest, wrap("finish test", p.ID, err)
}

// TestResults is how each variant of test p did so far (A first): people
// delivered to, over all its runs, and the different people who tapped
// or clicked any of its buttons.
func (s *Service) TestResults(p *herald.Broadcast) ([]herald.VariantResult, error) {
	if p.Test == nil {
		return nil, wrap("results", p.ID, ErrNotTest)
	}
	ids := append([]string{p.ID}, p.Test.Children...)
	out := make([]herald.VariantResult, len(ids))
	for i, id := range ids {
		runs, err := s.opts.Store.RunsOf(id)
		if err != nil {
			return nil, wrap("results", id, err)
		}
		out[i].BroadcastID = id
		for _, r := range runs {
			for _, t := range r.Tally {
				out[i].Delivered += t.Sent
			}
		}
		a := herald.Audience{Channels: p.Audience.Channels, Recipients: p.Audience.Recipients,
			Responses: []herald.Response{{BroadcastID: id}}}
		cnt, err := s.opts.Store.Count(&a, p.Category, s.opts.Now())
		if err != nil {
			return nil, wrap("results", id, err)
		}
		out[i].Responded = cnt.Total
	}
	return out, nil
}

// callOff is canceling a test whose variants went out and finished while
// it waits for its winner: the rest is never sent. ok is false for any
// other broadcast, which the usual cancel handles.
func (s *Service) callOff(id string, who Actor) (ch herald.Change, ok bool, err error) {
	waiting := func(b *herald.Broadcast) bool { return b.Test.Pending() && b.Test.Winner == 0 && b.Status.Final() }
	if b, err := s.opts.Store.Broadcast(id); err != nil || !waiting(&b) {
		return ch, false, nil
	}
	ch.Broadcast, err = s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		ch.From = b.Status
		if !waiting(b) {
			return ErrDecided
		}
		b.Test.Done, b.UpdatedBy = true, who.Key
		return nil
	})
	if err != nil {
		return ch, true, wrap("call off test", id, err)
	}
	s.audit(who.Key, "ab.call_off", id, "")
	return ch, true, nil
}

// cascade applies a control of a test to its variants, so pausing or
// canceling the test holds them all. A variant already finished refuses,
// which is no error here.
func (s *Service) cascade(ctx context.Context, c herald.Control, b *herald.Broadcast, who Actor) {
	if b.Test == nil {
		return
	}
	for _, id := range b.Test.Children {
		if _, err := s.control(ctx, c, id, who); err != nil {
			s.opts.Logger.Debug("broadcasts: A/B variant control", "broadcast_id", id, "control", string(c), "error", fmt.Sprint(err))
		}
	}
}
