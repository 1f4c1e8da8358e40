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
func TestUndoMessageSaysWhenTheBroadcastStarted(t *testing.T) {
	const group, alice = int64(-100999), int64(42)
	const token = "123456:undo-test"
	fakes, _, cfg := groupAndLINE(t, token, group, alice)
	tg := fakes.Telegram
	a, clock := startClockedApp(t, cfg)
	subscribe(t, a.store, herald.LINE, clock.Now(), []string{"vip"}, "U1")
	g := groupChat(t, tg, token, group)
	g.confirmNew(groupUser(alice, "Alice"), `/new "Doors open" to tag:vip on line now`)
	offer := waitForMessage(t, tg, group, "Press Undo")
	id := broadcastIDIn(offer.Text)
	if !strings.Contains(offer.ReplyMarkup, `"/delete `+id+`"`) {
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
	if strings.Contains(edited.ReplyMarkup, "/delete") {
		t.Errorf("the started broadcast's message still offers Undo: %s", edited.ReplyMarkup)
	}
	waitForMessage(t, tg, group, "Report: Doors open")

	g.press(groupUser(alice, "Alice"), offer, "/delete "+id) // a stale button pressed anyway
	late := waitForMessage(t, tg, group, "can't be undone or deleted")
	if strings.Contains(late.ReplyMarkup, "/cancel") || !strings.Contains(late.Text, "completed") {
		t.Errorf("Undo after the run answers:\n%s\n%s", late.Text, late.ReplyMarkup)
	}
}
