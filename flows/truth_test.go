package flows

import (
	"testing"

	"github.com/heraldbot/herald"
)

// An Undo pressed after the broadcast went out, or a /delete of a finished
// one, says it was sent and offers only what can still be done.
func TestUndoAfterTheRunSaysItWasSent(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	h.press("sum:confirm")
	id := h.stored().ID
	run := herald.Run{BroadcastID: id, Status: herald.RunSending, StartedAt: t0}
	if err := h.store.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		b.Status = herald.StatusCompleted
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rs := h.press("/delete " + id)
	mustContain(t, rs, id+" is completed and has already sent messages, so it can't be undone or deleted")
	if ids := choiceIDs(rs); contains(ids, "/cancel "+id) || !contains(ids, "/clone "+id) {
		t.Errorf("a completed broadcast's /delete offers %v; want Clone and no Cancel", ids)
	}
}
