package flows

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows/flowstest"
)

// noticeLog keeps, in order, the changes the broadcasts service published
// that the admin chats tell others of (a submit and the decisions).
type noticeLog struct {
	mu sync.Mutex
	ns []herald.BroadcastChanged
}

func (l *noticeLog) Publish(_ context.Context, e herald.Event) {
	c, ok := e.(herald.BroadcastChanged)
	switch {
	case !ok:
		return
	case c.Action == "schedule" || c.Action == "draft" || c.Action == "clone" || c.Action == "edit_canceled" || c.Action == "retry_failed":
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ns = append(l.ns, c)
}

func (l *noticeLog) all() []herald.BroadcastChanged {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]herald.BroadcastChanged(nil), l.ns...)
}

// newApprovalHarness: Alice, Bob and Carol are approvers, Dave is an admin
// without approval rights; audiences over 5 need a second admin. Alice
// makes "Winter sale" (6 recipients) and confirms it.
func newApprovalHarness(t *testing.T) (*harness, *noticeLog, herald.Broadcast) {
	t.Helper()
	h := newHarness(t, func(c *Config) {
		c.Access = flowstest.Allowlist{Admins: []string{"console:alice", "console:bob", "console:carol", "console:dave"},
			Approvers: []string{"console:alice", "console:bob", "console:carol"}}
		c.ApprovalThreshold = 5
		c.AsksApprovers = true
	})
	log := h.events
	h.walkTo("")
	mustContain(t, h.press("sum:confirm"), "another admin must approve it", "I've asked the approvers")
	b := h.stored()
	if b.Status != herald.StatusPending {
		t.Fatalf("confirmed over the threshold: %s, want pending approval", b.Status)
	}
	return h, log, b
}

func TestApprovalRequestCarriesTheEssentialsAndButtons(t *testing.T) {
	h, log, b := newApprovalHarness(t)
	ns := log.all()
	if len(ns) != 1 || ns[0].Action != "submit" {
		t.Fatalf("notices after confirming: %+v; want one submit", ns)
	}
	n := ns[0]
	if n.Actor != "console:alice" || n.Where.UserName != "Alice" || n.Where.ChatID != "chat" || n.Broadcast.ID != b.ID {
		t.Errorf("request from %q (%q) in %q for %s; want Alice in chat for %s", n.Actor, n.Where.UserName, n.Where.ChatID, n.Broadcast.ID, b.ID)
	}
	req := h.eng.ApprovalRequest(n.Broadcast, n.Count, n.Where)
	mustContain(t, []Reply{req},
		"Alice asks for approval: “Winter sale” ("+b.ID+")",
		"Channels: LINE, Telegram",
		"With any of the tags: vip",
		"6 recipients — LINE 6 · Telegram 0",
		"Hi {name|there}, 20% off today!", // as typed: the approver judges the template
		"As soon as it is approved (then 60 seconds to undo)",
		"more than 5 recipients")
	var ids []string
	for _, c := range req.Choices {
		ids = append(ids, c.ID)
	}
	if want := "/approve " + b.ID + " /reject " + b.ID + " /show " + b.ID; strings.Join(ids, " ") != want {
		t.Errorf("request buttons %v; want %s", ids, want)
	}
}

// A carousel waiting for approval shows its cards as the summary does:
// each card's title, text and picture, and its buttons under it.
func TestApprovalRequestShowsACarouselsCards(t *testing.T) {
	h, log, _ := newApprovalHarness(t)
	n := log.all()[0]
	text, spans := herald.ParseMarkup("*Warm* boots", false)
	n.Broadcast.Content = herald.Content{Kind: herald.CarouselContent,
		Cards: []herald.Card{{Title: "Boots", Text: text, Spans: spans, Image: herald.Image{URL: "https://cdn.example.com/b.jpg"}},
			{Title: "Scarf", Text: "Soft"}},
		Buttons: []herald.Button{{ID: "b1", Label: "Want", Kind: herald.ActionButton, AddTags: []string{"boots"}},
			{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/scarf", Card: 1}}}

	req := h.eng.ApprovalRequest(n.Broadcast, n.Count, n.Where)

	mustContain(t, []Reply{req}, "✉️ Content: 🎠 Carousel",
		"  1. Boots — *Warm* boots 🖼\n     [Want → +boots]\n  2. Scarf — Soft\n     [Shop → https://shop.example/scarf]\n")
}

func TestTwoPersonRule(t *testing.T) {
	// act is one admin's command; {ID} is the pending broadcast.
	type act struct{ user, cmd string }
	tests := []struct {
		name       string
		acts       []act
		reply      string // in the last act's replies
		status     herald.Status
		approvedBy string
		notices    []string // after the request
		audit      string   // the broadcast's newest audit entry: action by actor
	}{
		{name: "approver approves", acts: []act{{"bob", "/approve {ID}"}},
			reply: "Approved", status: herald.StatusScheduled, approvedBy: "console:bob",
			notices: []string{"approve"}, audit: "broadcast.approve by console:bob"},
		{name: "approver presses the request's Approve", acts: []act{{"bob", "press:/approve {ID}"}},
			reply: "Approved", status: herald.StatusScheduled, approvedBy: "console:bob",
			notices: []string{"approve"}, audit: "broadcast.approve by console:bob"},
		{name: "own broadcast is not approved", acts: []act{{"alice", "/approve {ID}"}},
			reply: "a different admin has to approve it", status: herald.StatusPending,
			audit: "access.denied by console:alice"},
		{name: "non-approver is refused and audited", acts: []act{{"dave", "/approve {ID}"}},
			reply: "You may not approve or reject", status: herald.StatusPending,
			audit: "access.denied by console:dave"},
		{name: "non-approver may not reject", acts: []act{{"dave", "/reject {ID} no"}},
			reply: "You may not approve or reject", status: herald.StatusPending,
			audit: "access.denied by console:dave"},
		{name: "own broadcast is not rejected", acts: []act{{"alice", "/reject {ID}"}},
			reply: "a different admin has to decide", status: herald.StatusPending,
			audit: "access.denied by console:alice"},
		{name: "reject with a reason goes back to draft", acts: []act{{"bob", "/reject {ID}   wrong   date "}},
			reply: "It is a draft again, so Alice can change it", status: herald.StatusDraft,
			notices: []string{"reject"}, audit: "broadcast.reject by console:bob"},
		{name: "second approver after the first", acts: []act{{"bob", "/approve {ID}"}, {"carol", "press:/approve {ID}"}},
			reply: "already approved by Bob", status: herald.StatusScheduled, approvedBy: "console:bob",
			notices: []string{"approve"}, audit: "broadcast.approve by console:bob"},
		{name: "approval after a rejection", acts: []act{{"bob", "/reject {ID}"}, {"carol", "/approve {ID}"}},
			reply: "already rejected by Bob", status: herald.StatusDraft,
			notices: []string{"reject"}, audit: "broadcast.reject by console:bob"},
		{name: "rejection after an approval", acts: []act{{"bob", "/approve {ID}"}, {"carol", "/reject {ID} late"}},
			reply: "already approved by Bob", status: herald.StatusScheduled, approvedBy: "console:bob",
			notices: []string{"approve"}, audit: "broadcast.approve by console:bob"},
		{name: "approver cancels instead", acts: []act{{"bob", "/cancel {ID}"}},
			reply: "Canceled", status: herald.StatusCanceled,
			notices: []string{"cancel"}, audit: "broadcast.cancel by console:bob"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, log, b := newApprovalHarness(t)
			var rs []Reply
			for _, a := range tc.acts {
				h.user = a.user
				cmd := strings.ReplaceAll(a.cmd, "{ID}", b.ID)
				if c, ok := strings.CutPrefix(cmd, "press:"); ok {
					rs = h.do(Input{Choice: c})
				} else {
					rs = h.send(cmd)
				}
			}
			mustContain(t, rs, tc.reply)
			got := h.stored()
			if got.Status != tc.status || got.ApprovedBy != tc.approvedBy {
				t.Errorf("broadcast is %s approved by %q; want %s by %q", got.Status, got.ApprovedBy, tc.status, tc.approvedBy)
			}
			var actions []string
			for _, n := range log.all()[1:] {
				actions = append(actions, n.Action)
				if n.Broadcast.ID != b.ID || n.Broadcast.Status != got.Status || n.Where.ChatID != "chat" {
					t.Errorf("notice %s is about %s (%s) in %q; want %s (%s) in chat", n.Action, n.Broadcast.ID, n.Broadcast.Status, n.Where.ChatID, b.ID, got.Status)
				}
			}
			if strings.Join(actions, ",") != strings.Join(tc.notices, ",") {
				t.Errorf("notices %v; want %v", actions, tc.notices)
			}
			entries, err := h.store.AuditLog(b.ID, 1)
			if err != nil || len(entries) == 0 || entries[0].Action+" by "+entries[0].Actor != tc.audit {
				t.Errorf("newest audit entry %+v (%v); want %s", entries, err, tc.audit)
			}
		})
	}
}

// A rejected broadcast keeps everything entered: the creator edits it and
// confirms again, which asks the approvers afresh.
func TestRejectedBroadcastIsResubmittedFromTheDraft(t *testing.T) {
	h, log, b := newApprovalHarness(t)
	h.user = "bob"
	h.send("/reject " + b.ID + "   wrong   date ")
	if ns := log.all(); ns[len(ns)-1].Reason != "wrong date" {
		t.Errorf("rejection reason %q; want the words as typed, spaced once", ns[len(ns)-1].Reason)
	}
	if e, _ := h.store.AuditLog(b.ID, 1); len(e) != 1 || e[0].Detail != "wrong date" {
		t.Errorf("audited rejection %+v; want the reason in it", e)
	}
	draft := h.stored()
	if draft.Content.Text != b.Content.Text || !draft.Audience.HasChannel(herald.LINE) || draft.Schedule.Kind != herald.SendNow || !draft.Schedule.At.IsZero() {
		t.Errorf("the rejected draft lost what was entered: %+v", draft)
	}

	h.user = "alice"
	h.send("/edit " + b.ID)
	h.wantStep(stepSummary)
	mustContain(t, h.press("sum:confirm"), "I've asked the approvers")
	ns := log.all()
	if last := ns[len(ns)-1]; last.Action != "submit" || h.stored().Status != herald.StatusPending {
		t.Errorf("resubmitting: notice %s, status %s; want a fresh request and pending", last.Action, h.stored().Status)
	}
	h.user = "carol"
	mustContain(t, h.send("/approve "+b.ID), "Approved")
}

// Without approval requests in the chats the creator is told to ask an
// approver themselves.
func TestPendingWithoutRequestsSaysWhomToAsk(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ApprovalThreshold = 5 })
	h.walkTo("")
	mustContain(t, h.press("sum:confirm"), "ask them to type /approve")
}

// The request and every approval answer read right in every language (the
// harness checks replies for raw keys and template gaps).
func TestApprovalInEveryLanguage(t *testing.T) {
	for _, lang := range []string{"en", "zh-TW", "zh-CN", "ja"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, func(c *Config) { c.ApprovalThreshold = 1; c.AsksApprovers = true })
			for _, u := range []string{"bob", "alice"} {
				h.user = u
				h.send("/lang " + lang)
			}
			h.walkTo("")
			h.press("sum:confirm")
			id := h.stored().ID
			n := h.events.all()[0]
			req := h.eng.ApprovalRequest(n.Broadcast, n.Count, n.Where)
			if strings.Contains(req.Text, "<no value>") || rawKey.MatchString(req.Text) || !strings.Contains(req.Text, id) {
				t.Errorf("approval request in %s:\n%s", lang, req.Text)
			}
			for _, cmd := range []string{"/reject " + id, "/approve " + id} {
				h.send(cmd) // own: refused
			}
			h.user = "bob"
			for _, cmd := range []string{"/reject " + id + " why", "/approve " + id, "/reject " + id, "/show " + id} {
				h.send(cmd)
			}
		})
	}
}

// Two approvers pressing Approve at the same moment: one approves, the
// other is told who did; the broadcast is approved and announced once.
func TestSimultaneousApprovalsApproveOnce(t *testing.T) {
	h, log, b := newApprovalHarness(t)
	var wg sync.WaitGroup
	replies := make([]string, 2)
	for i, u := range []string{"bob", "carol"} {
		wg.Go(func() {
			rs, err := h.eng.Handle(context.Background(), Input{Frontend: "console", ChatID: "chat", UserID: u,
				UserName: strings.ToUpper(u[:1]) + u[1:], Choice: "/approve " + b.ID})
			if err != nil {
				t.Error(err)
			}
			replies[i] = joined(rs)
		})
	}
	wg.Wait()
	approved, told := 0, 0
	for _, r := range replies {
		if strings.Contains(r, "✅ Approved "+b.ID) {
			approved++
		}
		if strings.Contains(r, "was already approved by") {
			told++
		}
	}
	if approved != 1 || told != 1 {
		t.Errorf("replies %q; want one approval and one \"already approved\"", replies)
	}
	if ns := log.all(); len(ns) != 2 || ns[1].Action != "approve" {
		t.Errorf("notices %+v; want the request and one approval", ns)
	}
}
