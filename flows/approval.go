package flows

import (
	"errors"
	"strings"

	"github.com/heraldbot/herald"
)

// approvalRequest is what approvers see when b waits for them: who asks,
// the summary's essentials and the buttons to decide.
func (t *turn) approvalRequest(b *herald.Broadcast, cnt herald.Count) *Reply {
	chans := t.e.audienceChannels(&b.Audience)
	when := t.describeSchedule(&b.Schedule)
	if b.Schedule.Kind == herald.SendNow {
		when = t.N("approval.send_now", int(t.e.cfg.UndoDelay.Seconds()))
	}
	cntLine, err := t.countLine(b, cnt) // a test's whole audience and its split
	if err != nil {
		t.e.cfg.Logger.Warn("flows: approval request with variant A's count", "broadcast", b.ID, "error", err)
		cntLine = t.countText(b, cnt)
	}
	lines := []string{
		t.T("approval.request", "Asker", t.orDash(t.in.UserName), "Name", b.Name, "ID", b.ID),
		t.T("summary.channels", "Channels", t.joinList(chans), "Recipients", t.T(recipientKeys[b.Audience.Recipients])),
		t.T("summary.audience") + "\n" + t.describeAudience(ownAudience(b)),
		cntLine,
	}
	lines = append(lines, t.describeContent(&b.Content, previewRunes)...)
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

// ApprovalRequest is what the approvers are shown when b waits for them
// (its audience of cnt is over Config.ApprovalThreshold): who asks, the
// summary's essentials and Approve / Reject / Show, in the asker's
// language (the bot's default for an API client). The admin chats post it
// when the broadcasts service says b was submitted.
func (e *Engine) ApprovalRequest(b herald.Broadcast, cnt herald.Count, asker herald.Origin) Reply {
	in := Input{Frontend: asker.Frontend, ChatID: asker.ChatID, UserID: asker.UserID, UserName: asker.UserName}
	t := &turn{e: e, in: in, actor: adminKey(in), now: e.cfg.Now(), tz: e.cfg.Location, loc: e.cfg.Catalog.Localizer("")}
	if a, err := e.cfg.Store.Admin(t.actor); err == nil {
		t.loc = e.cfg.Catalog.Localizer(a.Locale)
	} else if !errors.Is(err, herald.ErrNotFound) {
		e.cfg.Logger.Warn("flows: approval request in the default language", "actor", t.actor, "error", err)
	}
	r := t.approvalRequest(&b, cnt)
	r.settle()
	return *r
}
