package adminchat_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/flows/flowstest"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
)

// approvalRig is a real flows engine whose notices go to a Reporter that
// prints into a real console surface: the admin chat "ops", where Alice
// and Bob (approvers) and Dave (an admin, no approver) work.
type approvalRig struct {
	*rig
	engine *flows.Engine
}

func newApprovalRig(t *testing.T) *approvalRig {
	t.Helper()
	store, cat := flowsrig.Open(t, start, "U1", "U2", "U3")
	r := &approvalRig{rig: &rig{t: t, store: store, clock: platformtest.NewClock(start)}}
	// The engine reports to the reporter, which prints at the console,
	// which talks to the engine: the reporter is set before any input.
	svc, err := broadcasts.New(broadcasts.Options{Store: store, ApprovalThreshold: 2, Now: r.clock.Now,
		Events: publishFunc(func(ctx context.Context, e herald.Event) { r.rep.Publish(ctx, e) })})
	if err != nil {
		t.Fatal(err)
	}
	r.engine, err = flows.New(flows.Config{Store: store, Catalog: cat, Channels: []herald.Platform{herald.LINE},
		Access: flowstest.Allowlist{Admins: []string{"console:alice", "console:bob", "console:dave"},
			Approvers: []string{"console:alice", "console:bob"}},
		ApprovalThreshold: 2, Now: r.clock.Now, Broadcasts: svc, AsksApprovers: true})
	if err != nil {
		t.Fatal(err)
	}
	r.report(r.engine, cat, console.Options{ChatID: "ops"}, func(o *adminchat.Options) { o.Requests = r.engine })
	return r
}

// as is one admin's input in the ops chat; it returns the replies the
// conversation gave that admin.
func (r *approvalRig) as(user, text string) string {
	r.t.Helper()
	rs, err := r.engine.Handle(context.Background(), flows.Input{Frontend: console.Frontend, ChatID: "ops",
		UserID: strings.ToLower(user), UserName: user, Text: text})
	if err != nil {
		r.t.Fatal(err)
	}
	var texts []string
	for _, x := range rs {
		texts = append(texts, x.Text)
	}
	return strings.Join(texts, "\n")
}

var broadcastID = regexp.MustCompile(`B-[2-9A-Z]{4,8}`)

// submit has Alice make a broadcast for all three users, over the
// threshold of two, and returns its ID.
func (r *approvalRig) submit(name string) string {
	r.t.Helper()
	r.as("Alice", `/new "`+name+`" on line at 2026-12-01 09:00`)
	reply := r.as("Alice", "sum:confirm")
	mustContain(r.t, "Alice's confirmation", reply, "another admin must approve it", "I've asked the approvers")
	id := broadcastID.FindString(reply)
	if id == "" {
		r.t.Fatalf("no broadcast ID in %q", reply)
	}
	return id
}

// since is what the chat showed after the first n messages.
func (r *approvalRig) since(n int) string { return strings.Join(r.shown()[n:], "\n\n") }

func TestApprovalRequestAndDecisionsReachTheChat(t *testing.T) {
	r := newApprovalRig(t)
	id := r.submit("Doors open at nine")

	request := r.last()
	mustContain(t, "the approval request", request,
		"🙋 Alice asks for approval: “Doors open at nine” ("+id+")",
		"📡 Channels: LINE", "👥 3 recipients — LINE 3 (users 3, groups 0)", "Doors open at nine",
		"2026-12-01 09:00", "more than 2 recipients",
		"type: /approve "+id+" (✅ Approve) · /reject "+id+" (↩️ Reject) · /show "+id+" (🔍 Show)")

	// Dave is an admin but no approver: refused, audited, nothing posted.
	seen := len(r.shown())
	mustContain(t, "Dave's approval", r.as("Dave", "/approve "+id), "You may not approve or reject")
	if log, _ := r.store.AuditLog(id, 1); len(log) != 1 || log[0].Action != "access.denied" || log[0].Actor != "console:dave" {
		t.Errorf("Dave's refused approval was not audited: %+v", log)
	}
	// Alice may approve, but not her own.
	mustContain(t, "Alice's own approval", r.as("Alice", "/approve "+id), "a different admin has to approve it")
	if got := r.since(seen); got != "" {
		t.Errorf("refused approvals were posted in the chat:\n%s", got)
	}

	mustContain(t, "Bob's approval", r.as("Bob", "/approve "+id), "Approved "+id)
	decided := r.since(seen)
	mustContain(t, "the chat after Bob approved", decided,
		"🙋 Alice asks for approval", "✅ Approved by Bob.", // the request card, closed
		"✅ Doors open at nine ("+id+") was approved by Bob and is scheduled now.",
		"type: /show "+id+" (🔍 Show) · /pause "+id)
	if card := r.shown()[seen]; strings.Contains(card, "/approve") {
		t.Errorf("the decided request still offers Approve:\n%s", card)
	}

	// Alice pausing her own broadcast in the chat it was made in was
	// answered in the conversation; Bob pausing it is news to her.
	seen = len(r.shown())
	r.as("Alice", "/pause "+id)
	if got := r.since(seen); got != "" {
		t.Errorf("the creator's own pause was posted again:\n%s", got)
	}
	r.as("Alice", "/resume "+id)
	r.as("Bob", "/pause "+id)
	mustContain(t, "the chat after Bob paused", r.since(seen),
		"ℹ️ Doors open at nine ("+id+") is now paused — changed by Bob.", "/resume "+id+" (▶️ Resume)")
}

func TestRejectionTellsTheCreatorWhyAndClosesTheRequest(t *testing.T) {
	r := newApprovalRig(t)
	id := r.submit("Flash sale")
	seen := len(r.shown())
	mustContain(t, "Bob's rejection", r.as("Bob", "/reject "+id+" the price is wrong"), "Rejected "+id, "draft again")
	mustContain(t, "the chat after Bob rejected", r.since(seen),
		"↩️ Rejected by Bob.",
		"↩️ Flash sale ("+id+") was rejected by Bob: the price is wrong",
		"type: /edit "+id+" (✏️ Edit)")

	// A second approver arriving late is told, and nothing changes.
	seen = len(r.shown())
	mustContain(t, "Alice's late approval", r.as("Alice", "/approve "+id), "already rejected by Bob")
	if got := r.since(seen); got != "" {
		t.Errorf("a late approval was posted:\n%s", got)
	}
	if b, _ := r.store.Broadcast(id); b.Status != herald.StatusDraft || b.Content.Text != "Flash sale" {
		t.Errorf("after rejection: %s %+v; want the draft with its text", b.Status, b.Content)
	}
}

// TestEditingByAnotherAdminWithdrawsTheRequest: Bob opening Alice's
// waiting broadcast to edit it takes it back to a draft; the request's
// card says so (nobody approves what is changing) and the chat hears it.
func TestEditingByAnotherAdminWithdrawsTheRequest(t *testing.T) {
	r := newApprovalRig(t)
	id := r.submit("Flash sale")
	seen := len(r.shown())
	mustContain(t, "Bob's edit", r.as("Bob", "/edit "+id), "Summary of “Flash sale”")
	r.rep.Wait()
	mustContain(t, "the chat after Bob's edit", r.since(seen),
		"✏️ Withdrawn: Bob is editing it.",
		"✏️ Flash sale ("+id+") was taken back to a draft by Bob to edit it.")
	if b, _ := r.store.Broadcast(id); b.Status != herald.StatusDraft {
		t.Errorf("after Bob's edit: %s, want draft", b.Status)
	}
	mustContain(t, "Alice's late approval", r.as("Alice", "/approve "+id), id)
	if b, _ := r.store.Broadcast(id); b.Status != herald.StatusDraft {
		t.Errorf("a withdrawn request was approved: %s", b.Status)
	}
}

// publishFunc is an events sink that is one function (the rig's reporter).
type publishFunc func(ctx context.Context, e herald.Event)

func (f publishFunc) Publish(ctx context.Context, e herald.Event) { f(ctx, e) }
