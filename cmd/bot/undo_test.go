package main

import (
	"context"
	"regexp"
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
	tg, cfg := groupAndLINE(t, group, alice, token)
	start := time.Now().UTC()
	clock := platformtest.NewClock(start)
	a := startTestApp(t, cfg, clock.Now)
	if err := a.store.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: "U1", Kind: herald.KindUser,
		State: herald.Subscribed, Tags: []string{"vip"}, FirstSeen: start, LastInteraction: start}}); err != nil {
		t.Fatal(err)
	}
	g := groupChat(t, tg, token, group)
	g.say(groupUser(alice, "Alice"), `/new "Doors open" to tag:vip on line now`)
	g.press(groupUser(alice, "Alice"), waitForMessage(t, tg, group, `"sum:confirm"`), "sum:confirm")
	offer := waitForMessage(t, tg, group, "Press Undo")
	id := regexp.MustCompile(`B-[2-9A-Z]{4,8}`).FindString(offer.Text)
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

// groupAndLINE is a config with a Telegram admin group (admin in it) and
// LINE, both on the platform fakes.
func groupAndLINE(t *testing.T, group, admin int64, token string) (*platformtest.Telegram, Config) {
	t.Helper()
	fakes, u := platformFakes(t)
	addAdminGroup(fakes.Telegram, group, admin)
	cfg := testConfig(t)
	cfg.Telegram = TelegramConfig{Token: token, APIURL: u.Telegram, AdminChatIDs: []int64{group}}
	cfg.LINE = LINEConfig{ChannelSecret: "s", ChannelToken: "line-token", APIURL: u.LINE, DataAPIURL: u.LINEData}
	return fakes.Telegram, cfg
}
