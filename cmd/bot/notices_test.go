package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// TestApprovalsAndStatusChangesReachTheTelegramAdminGroup runs the wired
// bot against the Telegram fake: a broadcast over the approval threshold
// asks the admin group, another admin approves it with the request's
// button, an API client cancels it, and a broadcast made in a listed
// admin's private chat is rejected from the group, with the reason told
// in that private chat.
func TestApprovalsAndStatusChangesReachTheTelegramAdminGroup(t *testing.T) {
	const group, alice, bob, olivia = int64(-100777), int64(42), int64(43), int64(44)
	const token = "123456:approval-test"
	fakes, _, cfg := adminGroupRig(t, token, group, alice, bob)
	tg := fakes.Telegram
	tg.AddChat(platformtest.TelegramChat{ID: olivia, Type: "private", FirstName: "Olivia"})
	cfg.Telegram.AdminUserIDs = []int64{olivia}
	cfg.API.Tokens = []APIToken{{Name: "crm", Token: "crm-token-approval-test"}}
	cfg.Flows.ApprovalThreshold = 1
	start := time.Now()
	a := startTestApp(t, cfg, func() time.Time { return start })
	subscribe(t, a.store, herald.Telegram, start, []string{"vip"}, "1001", "1002")

	user := groupUser
	inGroup := groupChat(t, tg, token, group)
	withOlivia := privateChat(t, tg, token, olivia, "Olivia")
	at := start.Add(2 * time.Hour).In(cfg.Location()).Format(herald.LocalLayout)
	submit := func(from map[string]any, chat *tgChat, chatID int64, text string) string {
		t.Helper()
		chat.confirmNew(from, `/new "`+text+`" to tag:vip on telegram at `+at)
		asked := waitForMessage(t, tg, chatID, "I've asked the approvers")
		return broadcastIDIn(asked.Text)
	}

	// Alice asks in the group; the request there carries the decision's buttons.
	id := submit(user(alice, "Alice"), inGroup, group, "Doors open soon")
	card := waitForMessage(t, tg, group, "Alice asks for approval")
	for _, want := range []string{"“Doors open soon” (" + id + ")", "2 recipients — Telegram 2", "Channels: Telegram", "Doors open soon", at} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("approval request lacks %q:\n%s", want, card.Text)
		}
	}
	for _, button := range []string{`"/approve ` + id + `"`, `"/reject ` + id + `"`, `"/show ` + id + `"`} {
		if !strings.Contains(card.ReplyMarkup, button) {
			t.Errorf("approval request lacks the button %s: %s", button, card.ReplyMarkup)
		}
	}

	// Bob presses Approve on it: the card says so and loses its buttons,
	// and Alice reads who approved.
	inGroup.press(user(bob, "Bob"), card, "/approve "+id)
	waitForMessage(t, tg, group, "was approved by Bob")
	if got, _ := tg.Message(group, card.MessageID); !strings.Contains(got.Text, "✅ Approved by Bob.") || strings.Contains(got.ReplyMarkup, "/approve") {
		t.Errorf("the decided request reads:\n%s\n%s", got.Text, got.ReplyMarkup)
	}
	if b, _ := a.store.Broadcast(id); b.Status != herald.StatusScheduled || b.ApprovedBy != "telegram:43" {
		t.Errorf("after Bob's press: %s approved by %q", b.Status, b.ApprovedBy)
	}

	// An API client cancels it: the group hears, from whom.
	req, _ := http.NewRequest("POST", "http://"+a.addr+"/api/v1/broadcasts/"+id+"/cancel", nil)
	req.Header.Set("Authorization", "Bearer crm-token-approval-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel through the API: %v %v", resp, err)
	}
	resp.Body.Close()
	waitForMessage(t, tg, group, "Doors open soon ("+id+") is now canceled — changed by API client crm")

	// Olivia asks from her private chat, where no approver is: the group
	// gets the request too. Bob rejects it there with a reason, and her
	// chat hears why.
	id = submit(user(olivia, "Olivia"), withOlivia, olivia, "Flash sale")
	waitForMessage(t, tg, group, "Olivia asks for approval: “Flash sale”")
	waitForMessage(t, tg, olivia, "Olivia asks for approval: “Flash sale”")
	inGroup.say(user(bob, "Bob"), "/reject "+id+" needs a picture")
	waitForMessage(t, tg, olivia, "Flash sale ("+id+") was rejected by Bob: needs a picture")
	if b, _ := a.store.Broadcast(id); b.Status != herald.StatusDraft {
		t.Errorf("after the rejection: %s, want draft", b.Status)
	}

	// An API client asks for a broadcast over the threshold: it waits for
	// an admin like Alice's did, and the group gets the same request.
	body := `{"name":"CRM follow-up","status":"scheduled","audience":{"channels":["telegram"],"include_tags":["vip"]},` +
		`"content":{"kind":"text","text":"Thanks for your order"},"schedule":{"kind":"at","at":"` + start.Add(3*time.Hour).UTC().Format(time.RFC3339) + `"}}`
	req, _ = http.NewRequest("POST", "http://"+a.addr+"/api/v1/broadcasts", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer crm-token-approval-test")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID, Status string }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || created.Status != string(herald.StatusPending) {
		t.Fatalf("API create over the threshold: %d %+v, want 201 pending approval", resp.StatusCode, created)
	}
	card = waitForMessage(t, tg, group, "crm asks for approval: “CRM follow-up” ("+created.ID+")")
	inGroup.press(user(bob, "Bob"), card, "/approve "+created.ID)
	waitForMessage(t, tg, group, "Approved "+created.ID)
	if b, _ := a.store.Broadcast(created.ID); b.Status != herald.StatusScheduled || b.ApprovedBy != "telegram:43" {
		t.Errorf("the API's broadcast after Bob's press: %s approved by %q", b.Status, b.ApprovedBy)
	}
}

// TestApprovalRequestIsClosedAfterARestart: Herald stops between Alice's
// request and Bob's decision; the card posted before the stop still loses
// its Approve and Reject buttons when Bob decides.
func TestApprovalRequestIsClosedAfterARestart(t *testing.T) {
	const group, alice, bob = int64(-100777), int64(42), int64(43)
	const token = "123456:restart-test"
	fakes, _, cfg := adminGroupRig(t, token, group, alice, bob)
	tg := fakes.Telegram
	cfg.Flows.ApprovalThreshold = 1
	start := time.Now()
	now := func() time.Time { return start }

	first, err := startApp(cfg, slog.New(slog.DiscardHandler), appOptions{SchedulerNow: now})
	if err != nil {
		t.Fatal(err)
	}
	subscribe(t, first.store, herald.Telegram, start, nil, "1001", "1002")
	g := groupChat(t, tg, token, group)
	at := start.Add(2 * time.Hour).In(cfg.Location()).Format(herald.LocalLayout)
	g.confirmNew(groupUser(alice, "Alice"), `/new "Doors open soon" on telegram at `+at)
	card := waitForMessage(t, tg, group, "Alice asks for approval")
	id := broadcastIDIn(card.Text)
	if err := first.shutdown(); err != nil {
		t.Fatal(err)
	}

	a := startTestApp(t, cfg, now)
	g.press(groupUser(bob, "Bob"), card, "/approve "+id)
	waitForMessage(t, tg, group, "Approved "+id)
	waitUntil(t, "the request card is closed", func() bool {
		got, _ := tg.Message(group, card.MessageID)
		return strings.Contains(got.Text, "✅ Approved by Bob.") && !strings.Contains(got.ReplyMarkup, "/approve")
	})
	if b, _ := a.store.Broadcast(id); b.Status != herald.StatusScheduled {
		t.Errorf("after Bob's press: %s", b.Status)
	}
}

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
		kept, _ := a.store.ProgressMessages().All()
		return len(kept) == 1
	})

	g.press(groupUser(alice, "Alice"), offer, "/undo "+id)
	undone := waitForMessage(t, tg, group, "is back in your drafts")
	if !strings.Contains(undone.ReplyMarkup, `"/edit `+id+`"`) || !strings.Contains(undone.ReplyMarkup, `"/delete `+id+`"`) {
		t.Errorf("Undo answers without Edit and Delete: %s", undone.ReplyMarkup)
	}
	waitUntil(t, "the undone offer forgotten", func() bool {
		kept, _ := a.store.ProgressMessages().All()
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
