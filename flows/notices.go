package flows

import (
	"context"
	"strings"

	"github.com/heraldbot/herald"
)

// Action names what someone did to a broadcast, in a Notice.
type Action string

// Actions that make a Notice.
const (
	ActionSubmit  Action = "submit" // sent for approval under the two-person rule
	ActionApprove Action = "approve"
	ActionReject  Action = "reject" // back to draft, with a reason
	ActionPause   Action = "pause"
	ActionResume  Action = "resume"
	ActionCancel  Action = "cancel"
	ActionDelete  Action = "delete"
	// ActionEdit: a scheduled or pending broadcast was taken back to a
	// draft with /edit; it goes nowhere until confirmed again.
	ActionEdit Action = "edit"
)

// Notice is one change an admin made to a broadcast. The conversation
// answers only the admin who acted; a Notice lets the chat the broadcast
// was made in, and the approvers, hear of it too.
type Notice struct {
	Action Action
	// Broadcast as saved after the change (as it was, for ActionDelete).
	Broadcast herald.Broadcast
	// Actor is "frontend:user"; ActorName is how their chat shows them
	// (may be empty).
	Actor     string
	ActorName string
	// Where is the chat the actor acted in (Frontend and ChatID).
	Where  herald.Origin
	Reason string // why, for ActionReject; may be empty
	// Request is set for ActionSubmit: the approval request for the
	// approvers (who asked, the summary's essentials, Approve / Reject /
	// Show), in the submitter's language.
	Request *Reply
}

// Notices hears of every change admins make to broadcasts through flows.
// Notice is called after the change is saved and audited; it must return
// quickly (post on its own goroutine).
type Notices interface {
	Notice(ctx context.Context, n Notice)
}

// NoticeFunc adapts a function to Notices.
type NoticeFunc func(ctx context.Context, n Notice)

// Notice calls f.
func (f NoticeFunc) Notice(ctx context.Context, n Notice) { f(ctx, n) }

// notice tells cfg.Notices, if any, what this turn's admin did to b.
func (t *turn) notice(action Action, b herald.Broadcast, reason string, request *Reply) {
	if t.e.cfg.Notices == nil {
		return
	}
	t.e.cfg.Notices.Notice(t.ctx, Notice{Action: action, Broadcast: b, Actor: t.actor, ActorName: t.in.UserName,
		Where:  herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName},
		Reason: reason, Request: request})
}

// approvalRequest is what approvers see when b waits for them: who asks,
// the summary's essentials and the buttons to decide.
func (t *turn) approvalRequest(b *herald.Broadcast, cnt herald.Count) *Reply {
	var chans []string
	for _, p := range b.Audience.Channels {
		chans = append(chans, PlatformName(p))
	}
	when := t.describeSchedule(&b.Schedule)
	if b.Schedule.Kind == herald.SendNow {
		when = t.N("approval.send_now", int(t.e.cfg.UndoDelay.Seconds()))
	}
	lines := []string{
		t.T("approval.request", "Asker", t.orDash(t.in.UserName), "Name", b.Name, "ID", b.ID),
		t.T("summary.channels", "Channels", strings.Join(chans, ", "), "Recipients", t.T(recipientKeys[b.Audience.Recipients])),
		t.T("summary.audience") + "\n" + t.describeAudience(&b.Audience),
		t.countText(b, cnt),
		t.T("summary.content", "Kind", t.T(contentKeys[b.Content.Kind])),
	}
	if text := []rune(b.Content.Text); len(text) > 0 {
		if len(text) > previewRunes {
			text = append(text[:previewRunes-1], '…')
		}
		lines = append(lines, "  "+string(text))
	}
	lines = append(lines, t.T("summary.timing", "When", when),
		t.N("approval.why", t.e.cfg.ApprovalThreshold, "Threshold", FormatCount(t.e.cfg.ApprovalThreshold), "ID", b.ID))
	return &Reply{Text: strings.Join(lines, "\n"), Choices: []Choice{
		t.choice("/approve "+b.ID, t.T("btn.approve")),
		t.choice("/reject "+b.ID, t.T("btn.reject")),
		t.choice("/show "+b.ID, t.T("btn.show")),
	}}
}

// previewRunes bounds the message text quoted in an approval request; the
// whole message is one press away (Show).
const previewRunes = 280

// RequestApproval asks the approvers to decide on b, made outside any
// conversation (through the API) and stored pending approval because its
// audience of cnt is over Config.ApprovalThreshold: the same request a
// confirm in a chat posts, in the bot's default language.
func (e *Engine) RequestApproval(ctx context.Context, b herald.Broadcast, cnt herald.Count) {
	if e.cfg.Notices == nil {
		return
	}
	o := b.Origin
	in := Input{Frontend: o.Frontend, ChatID: o.ChatID, UserID: o.UserID, UserName: o.UserName}
	t := &turn{e: e, ctx: ctx, in: in, actor: adminKey(in), now: e.cfg.Now(), tz: e.cfg.Location, loc: e.cfg.Catalog.Localizer("")}
	t.notice(ActionSubmit, b, "", t.approvalRequest(&b, cnt))
}
