package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// TestUndoMessageSaysWhenTheBroadcastStarted: the Telegram admin group's
// "goes out in 60 seconds… Press Undo" message is edited once the run
// starts: it says so and loses its buttons; a late Undo typed anyway says
// it was sent and offers no Cancel.
// undoRig is the bot with a Telegram admin group in which Alice has just
// confirmed a send-now to one LINE subscriber: offer is its Undo message.
type undoRig struct {
	a     *app
	clock *platformtest.Clock
	tg    *platformtest.Telegram
	g     *tgChat
	offer platformtest.TelegramMessage
	id    string
}

const undoGroup, undoAlice = int64(-100999), int64(42)

func newUndoRig(t *testing.T) *undoRig {
	t.Helper()
	const token = "123456:undo-test"
	fakes, _, cfg := groupAndLINE(t, token, undoGroup, undoAlice)
	r := &undoRig{tg: fakes.Telegram}
	r.a, r.clock = startClockedApp(t, cfg)
	subscribe(t, r.a.store, herald.LINE, r.clock.Now(), []string{"vip"}, "U1")
	r.g = groupChat(t, r.tg, token, undoGroup)
	r.g.confirmNew(groupUser(undoAlice, "Alice"), `/new "Doors open" to tag:vip on line now`)
	r.offer = waitForMessage(t, r.tg, undoGroup, "Press Undo")
	r.id = broadcastIDIn(r.offer.Text)
	return r
}

func TestUndoMessageSaysWhenTheBroadcastStarted(t *testing.T) {
	r := newUndoRig(t)
	a, clock, tg, g, offer, id := r.a, r.clock, r.tg, r.g, r.offer, r.id
	const group, alice = undoGroup, undoAlice
	if !strings.Contains(offer.ReplyMarkup, `"/undo `+id+`"`) {
		t.Fatalf("the send-now confirmation offers no Undo: %s", offer.ReplyMarkup)
	}

	ctx := context.Background()
	a.parts.sched.Tick(ctx, clock.Add(2*time.Minute))
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var edited platformtest.TelegramMessage
	waitUntil(t, "the Undo message edited", func() bool {
		edited, _ = tg.Message(group, offer.MessageID)
		return strings.Contains(edited.Text, id+" has started sending")
	})
	if strings.Contains(edited.ReplyMarkup, "/undo") {
		t.Errorf("the started broadcast's message still offers Undo: %s", edited.ReplyMarkup)
	}
	waitForMessage(t, tg, group, "Report: Doors open")

	g.press(groupUser(alice, "Alice"), offer, "/undo "+id) // a stale button pressed anyway
	late := waitForMessage(t, tg, group, "can't be undone or deleted")
	if strings.Contains(late.ReplyMarkup, "/cancel") || !strings.Contains(late.Text, "completed") {
		t.Errorf("Undo after the run answers:\n%s\n%s", late.Text, late.ReplyMarkup)
	}
}

// TestUndoWithinTheDelayKeepsTheDraft: Undo pressed in time takes the
// broadcast back to the drafts (nothing is sent when its time comes), says
// what to do with it next, and forgets the kept offer.
func TestUndoWithinTheDelayKeepsTheDraft(t *testing.T) {
	r := newUndoRig(t)
	a, clock, tg, g, offer, id := r.a, r.clock, r.tg, r.g, r.offer, r.id
	const group, alice = undoGroup, undoAlice
	waitUntil(t, "the offer kept", func() bool {
		kept, _ := a.store.ProgressMessages()
		return len(kept) == 1
	})

	g.press(groupUser(alice, "Alice"), offer, "/undo "+id)
	undone := waitForMessage(t, tg, group, "is back in your drafts")
	if !strings.Contains(undone.ReplyMarkup, `"/edit `+id+`"`) || !strings.Contains(undone.ReplyMarkup, `"/delete `+id+`"`) {
		t.Errorf("Undo answers without Edit and Delete: %s", undone.ReplyMarkup)
	}
	waitUntil(t, "the undone offer forgotten", func() bool {
		kept, _ := a.store.ProgressMessages()
		return len(kept) == 0
	})

	ctx := context.Background()
	a.parts.sched.Tick(ctx, clock.Add(2*time.Minute))
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := a.store.Broadcast(id)
	if runs, _ := a.store.RunsOf(id); err != nil || b.Status != herald.StatusDraft || len(runs) != 0 {
		t.Errorf("after Undo and its time: %s with %d runs (%v); want a draft that never ran", b.Status, len(runs), err)
	}
}
