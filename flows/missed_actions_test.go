package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// missedOneOff stores the harness's broadcast as the scheduler leaves a
// one-off it missed while Herald was down: paused, its time passed.
func missedOneOff(h *harness) herald.Broadcast {
	h.t.Helper()
	h.walkTo("")
	h.press("sum:draft")
	b := h.stored()
	b, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Schedule = herald.Schedule{Kind: herald.SendAt, At: t0.Add(-3 * time.Hour)}
		x.Status, x.UpdatedBy = herald.StatusScheduled, "system"
		return nil
	})
	if err == nil {
		b, err = h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error { x.Status = herald.StatusPaused; return nil })
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// The missed-run prompt's Send now is /resume: the admin reads that it
// goes out now, since its time has passed.
func TestSendNowOnAMissedOneOffSaysItGoesOutNow(t *testing.T) {
	h := newHarness(t)
	b := missedOneOff(h)
	mustContain(t, h.send("/resume "+b.ID), "Resumed "+b.ID, "Its time has passed, so it goes out now.")
	if got := h.stored(); got.Status != herald.StatusScheduled || got.UpdatedBy != "console:alice" {
		t.Errorf("after Send now: %s by %s", got.Status, got.UpdatedBy)
	}
	// A broadcast paused before its time just resumes.
	h.send("/pause " + b.ID)
	if _, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Schedule.At = t0.Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rs := h.send("/resume " + b.ID)
	mustContain(t, rs, "Resumed "+b.ID)
	if got := joined(rs); strings.Contains(got, "goes out now") {
		t.Errorf("a resume before its time says it goes out now:\n%s", got)
	}
}

// Reschedule is "/edit ID timing": the edit opens at the timing question,
// Back leads to the summary, and a new time confirmed schedules it again.
func TestEditWithAFieldOpensThatStep(t *testing.T) {
	h := newHarness(t)
	b := missedOneOff(h)
	mustContain(t, h.send("/edit "+b.ID+" timing"), b.ID+" is back to draft", "When should it go out?")
	h.wantStep(stepTiming)
	h.press(choiceBack)
	h.wantStep(stepSummary)
	h.press("ed:timing")
	h.press("tm:at")
	h.send("2026-11-24 10:00")
	h.press("op:hold")
	h.wantStep(stepSummary)
	mustContain(t, h.press("sum:confirm"), "2026-11-24 10:00")
	got := h.stored()
	if got.Status != herald.StatusScheduled || !got.Schedule.At.Equal(time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("rescheduled: %s at %s; want scheduled at 10:00 Taipei", got.Status, got.Schedule.At)
	}
	// An unknown field word opens the summary, as plain /edit does.
	h.send("/edit " + got.ID + " colour")
	h.wantStep(stepSummary)
}

// /resume only continues what was paused: it must not turn a draft or a
// broadcast waiting for approval into a scheduled one, past the summary's
// checks and the two-person rule.
func TestResumeOnlyContinuesAPausedBroadcast(t *testing.T) {
	h, _, b := newApprovalHarness(t)
	mustContain(t, h.send("/resume "+b.ID), "Can't resume "+b.ID+": it is waiting for approval.")
	if got := h.stored(); got.Status != herald.StatusPending {
		t.Errorf("/resume on a broadcast waiting for approval made it %s", got.Status)
	}
	h.send("/edit " + b.ID)
	h.press("sum:draft")
	h.send("/resume " + b.ID)
	if got := h.stored(); got.Status != herald.StatusDraft {
		t.Errorf("/resume on a draft made it %s", got.Status)
	}
}
