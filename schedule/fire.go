package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// fire starts a broadcast whose moment came, unless it is stale.
func (s *Scheduler) fire(ctx context.Context, e entry, now time.Time) {
	b, err := s.store.Broadcast(e.id)
	if err != nil || b.Status != herald.StatusScheduled {
		return
	}
	// Someone who resumed or edited a broadcast after its time meant "now".
	late := now.Sub(e.at)
	if b.UpdatedAt.After(e.at) {
		late = now.Sub(b.UpdatedAt)
	}
	if late > s.opts.MissedGrace {
		s.missed(ctx, b, late)
		return
	}
	if b.Schedule.Kind == herald.SendRecurring {
		next, ok, err := NextOccurrence(&b.Schedule, e.at, b.Runs+1, s.opts.Location)
		if err != nil {
			s.log.Error("schedule: next occurrence", "broadcast_id", b.ID, "error", err)
		}
		if !ok {
			next = time.Time{}
		}
		if _, err := s.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
			x.Schedule.Next = next
			return nil
		}); err != nil {
			s.log.Error("schedule: save next occurrence", "broadcast_id", b.ID, "error", err)
			return
		}
	}
	if b.Test != nil && s.opts.Tests != nil {
		if !s.startVariants(ctx, &b) {
			return
		}
	}
	run, err := s.starter.Start(ctx, b.ID)
	if err != nil {
		s.log.Error("schedule: start", "broadcast_id", b.ID, "error", err)
		s.audit("broadcast.start_failed", b.ID, err.Error())
		s.startFailed(ctx, b)
		return
	}
	s.log.Info("broadcast started", "broadcast_id", b.ID, "run_id", run.ID, "late_ms", late.Milliseconds())
}

// startVariants makes an A/B test's variants as it starts and plans its
// decision; false when they could not be made (the test is not started:
// nobody gets A without the others).
func (s *Scheduler) startVariants(ctx context.Context, b *herald.Broadcast) bool {
	p, err := s.opts.Tests.StartVariants(ctx, b.ID)
	if err != nil {
		s.log.Error("schedule: start A/B variants", "broadcast_id", b.ID, "error", err)
		s.audit("broadcast.start_failed", b.ID, err.Error())
		return false
	}
	s.mu.Lock()
	v := s.version[b.ID]
	s.mu.Unlock()
	s.push(entry{at: p.Test.DecideAt, id: b.ID, act: actDecide, version: v})
	return true
}

// decide picks an A/B test's winner at its time.
func (s *Scheduler) decide(ctx context.Context, e entry) {
	if err := s.opts.Tests.DecideTest(ctx, e.id); err != nil {
		s.log.Error("schedule: decide A/B test", "broadcast_id", e.id, "error", err)
		s.audit("ab.decide_failed", e.id, err.Error())
	}
}

// missed handles a broadcast that came due while Herald was down, beyond
// the grace: stale content is never sent silently. A one-off is paused for
// an admin to decide; a recurring broadcast skips to its next occurrence.
func (s *Scheduler) missed(ctx context.Context, b herald.Broadcast, late time.Duration) {
	detail := fmt.Sprintf("missed by %s", late.Round(time.Minute))
	if b.Schedule.Kind == herald.SendRecurring {
		s.audit("broadcast.missed", b.ID, detail+"; skipped to the next occurrence")
		if _, err := s.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
			x.Schedule.Next = time.Time{}
			return nil
		}); err == nil {
			s.Changed(ctx, b.ID)
		}
	} else {
		var ok bool
		if b, ok = s.hold(b, "missed"); !ok {
			return
		}
		s.audit("broadcast.missed", b.ID, detail+"; paused until an admin decides")
	}
	s.log.Warn("broadcast missed its time", "broadcast_id", b.ID, "late", late.Round(time.Second).String())
	if s.events != nil {
		s.events.Publish(ctx, herald.Missed{Broadcast: b, Late: late})
	}
}

// startFailed tells the origin chat, once, that b came due and could not
// start. A one-off is paused for an admin to send it now, reschedule or
// cancel it, so it does not start unnoticed later nor fail (and tell)
// again at every start of Herald; a recurring broadcast keeps its next
// occurrence, planned again here (no run will finish to plan it).
func (s *Scheduler) startFailed(ctx context.Context, b herald.Broadcast) {
	if b.Schedule.Kind == herald.SendRecurring {
		s.Changed(ctx, b.ID)
	} else {
		var ok bool
		if b, ok = s.hold(b, "broadcast that could not start"); !ok {
			return
		}
	}
	if s.events != nil {
		s.events.Publish(ctx, herald.StartFailed{Broadcast: b})
	}
}

// hold pauses b, a one-off whose moment passed without sending, until an
// admin decides; ok is false when it was not paused (an error, logged, or
// someone changed it meanwhile). what names b in the log.
func (s *Scheduler) hold(b herald.Broadcast, what string) (herald.Broadcast, bool) {
	held, err := s.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		if x.Status != herald.StatusScheduled {
			return errNotScheduled
		}
		x.Status = herald.StatusPaused
		x.UpdatedBy = "system"
		return nil
	})
	if errors.Is(err, errNotScheduled) {
		return b, false
	}
	if err != nil {
		s.log.Error("schedule: pause "+what, "broadcast_id", b.ID, "error", err)
		return b, false
	}
	return held, true
}

// errNotScheduled stops hold from pausing a broadcast someone changed.
var errNotScheduled = errors.New("schedule: no longer scheduled")

// headsUp warns the origin chat that a broadcast goes out soon.
func (s *Scheduler) headsUp(ctx context.Context, e entry) {
	b, err := s.store.Broadcast(e.id)
	if err != nil || b.Status != herald.StatusScheduled || s.events == nil {
		return
	}
	at, err := FirstFire(&b.Schedule, s.opts.Now(), s.opts.Location)
	if b.Schedule.Kind == herald.SendRecurring {
		at = b.Schedule.Next
	}
	if err == nil {
		s.events.Publish(ctx, herald.HeadsUp{Broadcast: b, At: at})
	}
}

// finish completes a recurring broadcast with no occurrences left.
func (s *Scheduler) finish(id string) {
	if _, err := s.store.UpdateBroadcast(id, func(x *herald.Broadcast) error {
		x.Status = herald.StatusCompleted
		x.UpdatedBy = "system"
		return nil
	}); err != nil {
		s.log.Error("schedule: finish recurring broadcast", "broadcast_id", id, "error", err)
		return
	}
	s.audit("broadcast.finished", id, "no occurrences left")
}

// retain deletes finished broadcasts (with their runs and deliveries) older
// than the retention period. Drafts and anything unfinished are kept.
func (s *Scheduler) retain(now time.Time) {
	old, err := s.store.ListBroadcasts(herald.BroadcastQuery{
		Statuses: []herald.Status{herald.StatusCompleted, herald.StatusCanceled, herald.StatusFailed}})
	if err != nil {
		s.log.Error("schedule: retention", "error", err)
		return
	}
	cutoff := now.Add(-s.opts.Retention)
	deleted := 0
	for _, b := range old {
		if !b.UpdatedAt.Before(cutoff) {
			continue
		}
		if err := s.store.DeleteBroadcast(b.ID); err != nil {
			s.log.Error("schedule: retention delete", "broadcast_id", b.ID, "error", err)
			continue
		}
		deleted++
	}
	steps, err := s.store.PruneStepRuns(cutoff)
	if err != nil {
		s.log.Error("schedule: retention of sequence step runs", "error", err)
	}
	if steps > 0 {
		s.audit("retention.delete", "", fmt.Sprintf("deleted %d sequence step runs finished before %s", steps, cutoff.Format(time.RFC3339)))
	}
	if deleted > 0 {
		s.audit("retention.delete", "", fmt.Sprintf("deleted %d broadcasts finished before %s", deleted, cutoff.Format(time.RFC3339)))
	}
	s.log.Info("retention done", "deleted", deleted, "step_runs", steps, "cutoff", cutoff)
}

func (s *Scheduler) audit(action, target, detail string) {
	if err := s.store.Audit(herald.AuditEntry{At: s.opts.Now(), Actor: "system", Action: action, Target: target, Detail: detail}); err != nil {
		s.log.Error("schedule: audit", "action", action, "error", err)
	}
}
