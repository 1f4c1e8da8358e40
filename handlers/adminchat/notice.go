package adminchat

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// noticeTimeout bounds the posts and edits of one notice.
const noticeTimeout = 30 * time.Second

// card is an approval request posted in one chat; it is edited to show
// the decision, so nobody presses Approve on a request already decided.
// Cards are kept in Options.Cards too, to be closed after a restart.
type card struct {
	Origin herald.Origin `json:"origin"`
	Ref    string        `json:"ref"`
	Text   string        `json:"text"` // the request as posted
	// Markup is where Text quotes the message (flows.Reply.Markup).
	Markup []flows.TextRange `json:"markup,omitempty"`
}

// closedKeys say who decided a request, on its card.
var closedKeys = map[string]string{
	"approve": "approval.closed_approve",
	"reject":  "approval.closed_reject",
	"cancel":  "approval.closed_cancel",
	"delete":  "approval.closed_delete",
	"edit":    "approval.closed_edit",
}

// noticed are the changes the chats hear of besides the one who made them:
// a submit (an approval request) and the decisions about a broadcast.
var noticed = map[string]bool{"submit": true, "approve": true, "reject": true, "pause": true,
	"resume": true, "cancel": true, "undo": true, "delete": true, "edit": true}

// Requests renders approval requests (*flows.Engine).
type Requests interface {
	ApprovalRequest(b herald.Broadcast, cnt herald.Count, asker herald.Origin) flows.Reply
}

// notice is one change someone made to a broadcast, as the chats tell it.
type notice struct {
	herald.BroadcastChanged
	// ActorName is how the actor's chat shows them (may be empty).
	ActorName string
	// Request is the approval request, for a submit.
	Request *flows.Reply
}

// changed turns a change the service published into a notice. An
// approval request is posted where approvers read (see approverChats); any
// other change closes the broadcast's open requests and is told in the
// chat the broadcast reports to, unless its creator made the change in
// that chat: the conversation already answered them there.
func (r *Reporter) changed(ctx context.Context, e herald.BroadcastChanged) {
	if e.Action == "undo" || e.Action == "delete" || e.Action == "cancel" {
		r.opts.Offers.take(e.Broadcast.ID, false) // undone: no run will close its offers
	}
	if !noticed[e.Action] {
		return
	}
	n := notice{BroadcastChanged: e, ActorName: e.Where.UserName}
	if e.Action == "submit" && r.opts.Requests != nil {
		req := r.opts.Requests.ApprovalRequest(e.Broadcast, e.Count, e.Where)
		n.Request = &req
	}
	if n.Action == "submit" {
		r.requestApproval(ctx, n)
		return
	}
	r.closeRequests(ctx, n)
	b := n.Broadcast
	shown, ok := r.chat(b.Origin)
	creator := b.Origin.Frontend + ":" + b.Origin.UserID
	if !ok || (n.Actor == creator && n.Where.Frontend == shown.Frontend && n.Where.ChatID == shown.ChatID) {
		return
	}
	r.notify(ctx, b.ID, b.Origin, noticeReply(r.opts.Catalog.Localizer(r.lang(b.Origin)), &n))
}

// Upcoming announces in the origin chat that a scheduled broadcast goes
// out at at, with buttons to look at it or hold it; the scheduler calls it
// a configurable time before.
func (r *Reporter) Upcoming(ctx context.Context, b herald.Broadcast, at time.Time) {
	loc, zone := r.readerOf(b.Origin)
	r.notify(ctx, b.ID, b.Origin, flows.Reply{Text: loc.T("notice.upcoming", "Name", b.Name, "ID", b.ID, "When", dayClock(loc, at, zone, r.opts.Now())),
		Choices: []flows.Choice{{ID: "/show " + b.ID, Label: loc.T("btn.show")}, {ID: "/pause " + b.ID, Label: loc.T("btn.pause")}}})
}

// requestApproval posts the request flows rendered in every approver chat
// and remembers the cards for closeRequests.
func (r *Reporter) requestApproval(ctx context.Context, n notice) {
	chats := r.approverChats(n.Broadcast.Origin)
	if n.Request == nil || len(chats) == 0 {
		return
	}
	id, req := n.Broadcast.ID, *n.Request
	r.notices.GoJob(ctx, id, noticeTimeout, func(ctx context.Context) {
		var posted []card
		for _, o := range chats {
			ref, err := r.opts.Surfaces[o.Frontend].Post(ctx, o, req)
			if err != nil {
				r.opts.Logger.Warn("adminchat: post approval request", "broadcast_id", id, "frontend", o.Frontend, "error", err)
				continue
			}
			posted = append(posted, card{Origin: o, Ref: ref, Text: req.Text, Markup: req.Markup})
		}
		r.keepCards(id, posted)
	})
}

// keepCards remembers a broadcast's open request cards, in memory and, with
// Options.Cards, in storage. A request submitted again adds to them.
func (r *Reporter) keepCards(id string, posted []card) {
	r.mu.Lock()
	r.cards[id] = append(r.cards[id], posted...)
	all := slices.Clone(r.cards[id])
	r.mu.Unlock()
	if r.opts.Cards == nil || len(posted) == 0 {
		return
	}
	data, err := json.Marshal(all)
	if err == nil {
		err = r.opts.Cards.PutApprovalCards(id, data)
	}
	if err != nil {
		r.opts.Logger.Warn("adminchat: keep approval requests", "broadcast_id", id, "error", err)
	}
}

// takeCards returns a broadcast's open request cards and forgets them;
// after a restart they come from Options.Cards.
func (r *Reporter) takeCards(id string) []card {
	r.mu.Lock()
	cards, ok := r.cards[id]
	delete(r.cards, id)
	r.mu.Unlock()
	if r.opts.Cards == nil {
		return cards
	}
	if !ok {
		data, err := r.opts.Cards.ApprovalCards(id)
		if err == nil {
			err = json.Unmarshal(data, &cards)
		}
		if err != nil && !errors.Is(err, herald.ErrNotFound) {
			r.opts.Logger.Warn("adminchat: read approval requests", "broadcast_id", id, "error", err)
		}
	}
	if err := r.opts.Cards.DeleteApprovalCards(id); err != nil {
		r.opts.Logger.Warn("adminchat: forget approval requests", "broadcast_id", id, "error", err)
	}
	return cards
}

// approverChats are where a request for a broadcast made in origin goes:
// that chat, where the creator's fellow admins are (a Telegram admin
// group, a Slack thread), and the frontend's other admin chats
// (Options.ApproverChats), so a request made in a private chat still
// reaches someone who can approve it. A request from the API with no chat
// to report to (api.report_to) goes to every frontend's admin chats.
func (r *Reporter) approverChats(origin herald.Origin) []herald.Origin {
	var out []herald.Origin
	o, ok := r.chat(origin)
	if ok {
		out = append(out, o)
	}
	frontends := []string{o.Frontend}
	if !ok && origin.Frontend == APIFrontend {
		frontends = slices.Sorted(maps.Keys(r.opts.ApproverChats))
	}
	for _, fe := range frontends {
		if r.opts.Surfaces[fe] == nil {
			continue
		}
		for _, chat := range r.opts.ApproverChats[fe] {
			if !ok || fe != o.Frontend || chat != o.ChatID {
				out = append(out, herald.Origin{Frontend: fe, ChatID: chat})
			}
		}
	}
	return out
}

// closeRequests edits the broadcast's open request cards to say who
// decided, keeping the summary and dropping Approve and Reject.
func (r *Reporter) closeRequests(ctx context.Context, n notice) {
	key := closedKeys[n.Action]
	if key == "" {
		return
	}
	b := n.Broadcast
	loc := r.opts.Catalog.Localizer(r.lang(b.Origin))
	line := loc.T(key, "Actor", actorName(loc, &n))
	var choices []flows.Choice
	if n.Action != "delete" {
		choices = []flows.Choice{{ID: "/show " + b.ID, Label: loc.T("btn.show")}}
	}
	r.notices.GoJob(ctx, b.ID, noticeTimeout, func(ctx context.Context) {
		for _, c := range r.takeCards(b.ID) {
			surface := r.opts.Surfaces[c.Origin.Frontend]
			if surface == nil {
				continue // a frontend no longer configured
			}
			reply := flows.Reply{Text: c.Text + "\n\n" + line, Markup: c.Markup, Choices: choices}
			if err := surface.Edit(ctx, c.Origin, c.Ref, reply); err != nil {
				r.opts.Logger.Warn("adminchat: close approval request", "broadcast_id", b.ID, "frontend", c.Origin.Frontend, "error", err)
			}
		}
	})
}

// noticeReply tells the origin chat what someone did, with buttons for
// what its creator likely does next.
func noticeReply(loc *locales.Localizer, n *notice) flows.Reply {
	b := &n.Broadcast
	actor := actorName(loc, n)
	show := flows.Choice{ID: "/show " + b.ID, Label: loc.T("btn.show")}
	switch n.Action {
	case "approve":
		return flows.Reply{Text: loc.T("notice.approved", "Name", b.Name, "ID", b.ID, "Actor", actor, "Status", flows.StatusName(loc, b.Status)),
			Choices: []flows.Choice{show, {ID: "/pause " + b.ID, Label: loc.T("btn.pause")}}}
	case "reject":
		text := loc.T("notice.rejected_plain", "Name", b.Name, "ID", b.ID, "Actor", actor)
		if n.Reason != "" {
			text = loc.T("notice.rejected", "Name", b.Name, "ID", b.ID, "Actor", actor, "Reason", n.Reason)
		}
		return flows.Reply{Text: text, Choices: []flows.Choice{{ID: "/edit " + b.ID, Label: loc.T("btn.edit")}, show}}
	case "delete":
		return flows.Reply{Text: loc.T("notice.deleted", "Name", b.Name, "ID", b.ID, "Actor", actor)}
	case "edit":
		return flows.Reply{Text: loc.T("notice.editing", "Name", b.Name, "ID", b.ID, "Actor", actor), Choices: []flows.Choice{show}}
	}
	reply := flows.Reply{Text: loc.T("notice.status_changed", "Name", b.Name, "ID", b.ID, "Status", flows.StatusName(loc, b.Status), "Actor", actor),
		Choices: []flows.Choice{show}}
	switch b.Status {
	case herald.StatusDraft: // undone: what the undo answer offers
		reply.Choices = append([]flows.Choice{{ID: "/edit " + b.ID, Label: loc.T("btn.edit")}}, reply.Choices...)
	case herald.StatusPaused:
		reply.Choices = append(reply.Choices, flows.Choice{ID: "/resume " + b.ID, Label: loc.T("btn.resume")})
	case herald.StatusScheduled, herald.StatusSending:
		reply.Choices = append(reply.Choices, flows.Choice{ID: "/pause " + b.ID, Label: loc.T("btn.pause")})
	case herald.StatusCanceled:
		reply.Choices = append(reply.Choices, flows.Choice{ID: "/clone " + b.ID, Label: loc.T("btn.clone")})
	}
	return reply
}

// actorName is how the chat showed whoever acted, else their key.
func actorName(loc *locales.Localizer, n *notice) string {
	if client, ok := strings.CutPrefix(n.Actor, APIFrontend+":"); ok {
		return loc.T("log.api", "Client", client)
	}
	if n.ActorName != "" {
		return n.ActorName
	}
	return n.Actor
}

// notify posts reply in the chat the broadcast reports to (see chat),
// after the broadcast's earlier notices.
func (r *Reporter) notify(ctx context.Context, broadcastID string, origin herald.Origin, reply flows.Reply) {
	o, ok := r.chat(origin)
	if !ok {
		return
	}
	s := r.opts.Surfaces[o.Frontend]
	r.notices.GoJob(ctx, broadcastID, noticeTimeout, func(ctx context.Context) {
		if _, err := s.Post(ctx, o, reply); err != nil {
			r.opts.Logger.Warn("adminchat: post notice", "broadcast_id", broadcastID, "frontend", o.Frontend, "error", err)
		}
	})
}

// lang is the language the origin's admin chose, or "" for the default.
func (r *Reporter) lang(o herald.Origin) string {
	if r.opts.Admins == nil {
		return ""
	}
	a, err := r.opts.Admins.Admin(o.Frontend + ":" + o.UserID)
	if err != nil {
		return ""
	}
	return a.Locale
}
