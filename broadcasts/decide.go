package broadcasts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// maxReasonRunes bounds a rejection's reason: it is quoted in chats.
const maxReasonRunes = 500

// Approve is the second admin's yes under the two-person rule: the
// broadcast is scheduled ("send now" after the undo delay from now).
// ErrOwnBroadcast and ErrNotPending say why not (the first is audited as
// a refusal).
func (s *Service) Approve(ctx context.Context, id string, who Actor) (herald.Broadcast, error) {
	return s.decideApproval(ctx, id, who, "approve", "", func(b *herald.Broadcast) {
		if b.Schedule.Kind == herald.SendNow {
			b.Schedule.At = s.opts.Now().Add(s.opts.UndoDelay)
		}
		b.Status, b.ApprovedBy = herald.StatusScheduled, who.Key
	})
}

// Reject is an approver's no, with an optional reason (trimmed, bounded):
// the broadcast goes back to draft, so its creator can fix it and submit
// it again without entering anything twice.
// It returns the reason as recorded.
func (s *Service) Reject(ctx context.Context, id, reason string, who Actor) (herald.Broadcast, string, error) {
	reason = strings.Join(strings.Fields(reason), " ")
	if r := []rune(reason); len(r) > maxReasonRunes {
		reason = string(r[:maxReasonRunes-1]) + "…"
	}
	b, err := s.decideApproval(ctx, id, who, "reject", reason, func(b *herald.Broadcast) {
		if b.Schedule.Kind == herald.SendNow {
			b.Schedule.At = time.Time{} // set again when it is submitted
		}
		b.Status, b.ApprovedBy = herald.StatusDraft, ""
	})
	return b, reason, err
}

func (s *Service) decideApproval(ctx context.Context, id string, who Actor, action, reason string, apply func(b *herald.Broadcast)) (herald.Broadcast, error) {
	s.decide.Lock()
	defer s.decide.Unlock()
	var from herald.Status
	b, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		from = b.Status
		switch {
		case b.Status != herald.StatusPending:
			return ErrNotPending
		case b.CreatedBy == who.Key || b.UpdatedBy == who.Key:
			return ErrOwnBroadcast
		}
		apply(b)
		b.UpdatedBy = who.Key
		return nil
	})
	if errors.Is(err, ErrOwnBroadcast) {
		s.audit(who.Key, "access.denied", id, action+" own broadcast")
	}
	if err != nil {
		return b, wrap(action, id, err)
	}
	s.changed(ctx, who, action, reason, herald.BroadcastChanged{Broadcast: b, From: from, Reason: reason})
	return b, nil
}

// Pause stops a broadcast, sending or not yet: see herald.Control.
func (s *Service) Pause(ctx context.Context, id string, who Actor) (herald.Change, error) {
	return s.control(ctx, herald.Pause, id, who)
}

// Resume continues a paused broadcast; one paused before it started is
// scheduled again (a one-off whose time passed then goes at once).
func (s *Service) Resume(ctx context.Context, id string, who Actor) (herald.Change, error) {
	return s.control(ctx, herald.Resume, id, who)
}

// Cancel ends a broadcast for good.
func (s *Service) Cancel(ctx context.Context, id string, who Actor) (herald.Change, error) {
	return s.control(ctx, herald.Cancel, id, who)
}

func (s *Service) control(ctx context.Context, c herald.Control, id string, who Actor) (herald.Change, error) {
	if c == herald.Cancel {
		if ch, ok, err := s.callOff(id, who); ok {
			return ch, err
		}
	}
	var ch herald.Change
	var err error
	if rc := s.opts.Runs; rc != nil {
		do := map[herald.Control]func(context.Context, string, string) (herald.Change, error){
			herald.Pause: rc.Pause, herald.Resume: rc.Resume, herald.Cancel: rc.Cancel}[c]
		ch, err = do(ctx, id, who.Key)
	} else {
		ch.Broadcast, err = s.opts.Store.UpdateBroadcastRun(id, func(b *herald.Broadcast, last *herald.Run) error {
			ch.From, b.UpdatedBy = b.Status, who.Key
			return c.Apply(b, last)
		})
	}
	if err != nil {
		return ch, wrap(string(c), id, err)
	}
	s.audit(who.Key, "broadcast."+string(c), id, "")
	if ch.Changed() { // a repeated pause changes nothing and tells nobody
		s.publish(ctx, herald.BroadcastChanged{Action: string(c), Broadcast: ch.Broadcast, From: ch.From, Actor: who.Key, Where: who.Where})
	}
	s.cascade(ctx, c, &ch.Broadcast, who)
	return ch, nil
}

// Overdue reports whether a one-off that has not run is past its time:
// the scheduler sends it as soon as it is scheduled again.
func Overdue(b *herald.Broadcast, now time.Time) bool {
	one := b.Schedule.Kind == herald.SendAt || b.Schedule.Kind == herald.SendNow
	return one && b.Runs == 0 && b.Status == herald.StatusScheduled && !b.Schedule.At.After(now)
}

// Edit takes a draft or a broadcast that has not started back to draft,
// so the scheduler leaves it alone while it is changed; a broadcast
// waiting for approval loses its request. ErrStarted: clone it instead.
func (s *Service) Edit(ctx context.Context, id string, who Actor) (herald.Change, error) {
	ch, err := s.toDraft(id, who, func(*herald.Broadcast) {})
	if err != nil {
		return ch, wrap("edit", id, err)
	}
	s.audit(who.Key, "broadcast.edit", id, "")
	if ch.Changed() {
		s.publish(ctx, herald.BroadcastChanged{Action: "edit", Broadcast: ch.Broadcast, From: ch.From, Actor: who.Key, Where: who.Where})
	}
	return ch, nil
}

// Undo is undo-send: a broadcast confirmed but not yet started goes back
// to draft, as it was entered, instead of being lost; a send-now waits the
// undo delay again once it is confirmed again. An Undo of a draft changes
// nothing (a button pressed twice). ErrStarted: its run began first, in
// the same transaction that would have stopped it.
func (s *Service) Undo(ctx context.Context, id string, who Actor) (herald.Change, error) {
	ch, err := s.toDraft(id, who, func(b *herald.Broadcast) {
		if b.Schedule.Kind == herald.SendNow {
			b.Schedule.At = time.Time{} // set again when it is confirmed
		}
	})
	if err != nil {
		return ch, wrap("undo", id, err)
	}
	if ch.Changed() {
		s.changed(ctx, who, "undo", "", herald.BroadcastChanged{Broadcast: ch.Broadcast, From: ch.From})
	}
	return ch, nil
}

// toDraft takes a broadcast that has not started back to draft, changed
// by apply, in one update; a draft is left as it is.
func (s *Service) toDraft(id string, who Actor, apply func(b *herald.Broadcast)) (herald.Change, error) {
	var ch herald.Change
	b, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		ch.From = b.Status
		if b.Status == herald.StatusDraft {
			return nil
		}
		if b.Runs > 0 || !herald.CanTransition(b.Status, herald.StatusDraft) {
			return ErrStarted
		}
		apply(b)
		b.Status, b.UpdatedBy = herald.StatusDraft, who.Key
		return nil
	})
	ch.Broadcast = b
	return ch, err
}

// CancelEdit puts a broadcast whose edit was abandoned back in the status
// it had (was), so abandoning an edit changes nothing. One that was paused
// stays a draft: resuming it would skip confirm and approval.
func (s *Service) CancelEdit(ctx context.Context, id string, was herald.Status, who Actor) (herald.Broadcast, error) {
	b, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		if was != "" && b.Status == herald.StatusDraft && was != herald.StatusDraft && herald.CanTransition(b.Status, was) {
			b.Status = was
		}
		return nil
	})
	if err != nil {
		return b, wrap("restore", id, err)
	}
	if b.Status != herald.StatusDraft {
		s.changed(ctx, who, "edit_canceled", string(b.Status), herald.BroadcastChanged{Broadcast: b, From: herald.StatusDraft})
	}
	return b, nil
}

// Delete removes a broadcast that never sent. ErrStarted: cancel it.
func (s *Service) Delete(ctx context.Context, id string, who Actor) (herald.Broadcast, error) {
	b, err := s.opts.Store.DeleteBroadcastIf(id, func(b *herald.Broadcast) error {
		if b.Runs > 0 || b.Status == herald.StatusSending {
			return ErrStarted
		}
		return nil
	})
	if err != nil {
		return b, wrap("delete", id, err)
	}
	s.changed(ctx, who, "delete", b.Name, herald.BroadcastChanged{Broadcast: b, From: b.Status})
	return b, nil
}

// Clone copies any broadcast into a new draft made by who in origin,
// named by name from the original's name: n is 1, then counts up while
// that name is taken ("Sale (copy)", "Sale (copy 2)" in the admin's
// language, brackets included).
func (s *Service) Clone(ctx context.Context, id string, name func(base string, n int) string, origin herald.Origin, who Actor) (herald.Broadcast, error) {
	b, err := s.opts.Store.Broadcast(id)
	if err != nil {
		return b, wrap("clone", id, err)
	}
	c := herald.Broadcast{
		Origin: origin, Audience: b.Audience, Content: b.Content, Category: b.Category, Tag: b.Tag,
		EndOperatorChats: b.EndOperatorChats, Status: herald.StatusDraft, CreatedBy: who.Key, UpdatedBy: who.Key,
		Test: b.Test.Plan(herald.NewSampleSeed), // the same test again, on the same samples
	}
	if b.Schedule.Kind == herald.SendRecurring || b.Schedule.Kind == herald.SendUserLocal {
		c.Schedule = b.Schedule
	}
	// A one-off's time has passed or will soon, but its quiet hours still fit.
	c.Schedule.Quiet = b.Schedule.Quiet
	base := []rune(b.Name)
	base = base[:min(len(base), herald.MaxNameLen-10)]
	for i := 1; ; i++ {
		c.Name = name(string(base), i)
		other, err := s.NameTaken(c.Name, "")
		if err != nil {
			return c, err
		}
		if other == "" || i > 20 {
			break
		}
	}
	if err := s.opts.Store.CreateBroadcast(&c); err != nil {
		return c, wrap("clone", id, err)
	}
	s.changed(ctx, who, "clone", "from "+b.ID, herald.BroadcastChanged{Broadcast: c})
	return c, nil
}

// NameTaken is the ID of another unfinished broadcast called name (not
// self), or "": names are unique among unfinished broadcasts.
func (s *Service) NameTaken(name, self string) (string, error) {
	found, err := s.opts.Store.FindBroadcasts(name, 50)
	if err != nil {
		return "", wrap("find", name, err)
	}
	for _, b := range found {
		if b.ID != self && b.Status.Unfinished() && strings.EqualFold(b.Name, name) {
			return b.ID, nil
		}
	}
	return "", nil
}
