package flows

import (
	"errors"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// editTargets map the summary's edit buttons to the step that starts each
// field.
var editTargets = map[string]string{
	"ed:name": stepName, "ed:channels": stepChannels, "ed:audience": stepAudience,
	"ed:content": stepContentKind, "ed:buttons": stepButtons, "ed:category": stepCategory,
	"ed:timing": stepTiming, "ed:quiet": stepQuiet, "ed:sample": stepAudSample,
}

func askSummary(t *turn) error {
	d := &t.sess.Draft
	t.abFollowA(d)
	cnt, cntText, err := t.liveCount(d)
	if err != nil {
		return err
	}
	countLine, err := t.withETA(d, cntText)
	if err != nil {
		return err
	}
	if err := t.summaryPreview(d); err != nil {
		return err
	}
	text := t.T("summary.title", "Name", t.orDash(d.Name)) + "\n" + t.summaryText(d, countLine, cnt.OperatorChats > 0 || d.EndOperatorChats)
	text += t.quotaLine(cnt)
	cs := []Choice{
		t.choice("ed:name", t.T("btn.edit_name")),
		t.choice("ed:channels", t.T("btn.edit_channels")),
		t.choice("ed:audience", t.T("btn.edit_audience")),
		t.choice("ed:content", t.T("btn.edit_content")),
		t.choice("ed:buttons", t.T("btn.edit_buttons")),
	}
	if d.Audience.HasChannel(herald.Messenger) {
		cs = append(cs, t.choice("ed:category", t.T("btn.edit_category")))
	}
	cs = append(cs,
		t.choice("ed:timing", t.T("btn.edit_timing")),
		t.choice("ed:quiet", t.T("btn.edit_quiet")))
	if t.abStart(d) == "" { // a test needs one moment, and a text to vary
		cs = append(cs, t.choice("sum:ab", t.T("btn.ab")))
	}
	cs = append(cs,
		t.choice("sum:test", t.T("btn.test")),
		t.choice("sum:confirm", t.T("btn.confirm")),
		t.choice("sum:draft", t.T("btn.save_draft")))
	t.prompt(text, ExpectChoice, cs...)
	return nil
}

// summaryText is the whole broadcast in one message; countLine says who
// it reaches (a live count, or a finished run's recipients); operators
// says whether to show what happens to open operator chats (the wizard
// leaves it out when no one in the audience is in one).
func (t *turn) summaryText(d *herald.Broadcast, countLine string, operators bool) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	chans := t.e.audienceChannels(&d.Audience)
	line(t.T("summary.channels", "Channels", t.orDash(t.joinList(chans)), "Recipients", t.T(recipientKeys[d.Audience.Recipients])))
	line(t.T("summary.audience") + "\n" + t.describeAudience(ownAudience(d)))
	line(countLine)
	for _, l := range t.describeContent(&d.Content, 0) {
		line(l)
	}
	if d.Test != nil {
		for _, l := range t.abLines(d.Test) {
			line(l)
		}
	}
	if d.Audience.HasChannel(herald.Messenger) {
		cat := t.T("summary.unset")
		switch d.Category {
		case herald.Marketing:
			cat = t.T("category.marketing")
		case herald.NonMarketing:
			cat = t.T("category.non_marketing") + " · " + t.T(msgTagKeys[d.Tag])
		}
		line(t.T("summary.category", "Category", cat))
	}
	line(t.T("summary.timing", "When", t.describeSchedule(&d.Schedule)))
	line(t.quietLine(d.Schedule.Quiet))
	if operators {
		op := t.T("operator.hold")
		if d.EndOperatorChats {
			op = t.T("operator.end")
		}
		line(t.T("summary.operator", "Choice", op))
	}
	if notes := t.degradeNotes(d); len(notes) > 0 {
		line(t.T("summary.notes") + "\n• " + strings.Join(notes, "\n• "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// describeContent is what the summary says of a message: its kind, a
// card's title, the text in markup (cut at maxText characters when
// maxText > 0), the pictures, and a carousel's cards or the buttons.
// Approval requests say the same.
func (t *turn) describeContent(c *herald.Content, maxText int) []string {
	out := []string{t.T("summary.content", "Kind", t.T(contentKeys[c.Kind]))}
	if c.Title != "" && c.Kind == herald.CardContent {
		out = append(out, "  "+c.Title)
	}
	if c.Text != "" {
		text := []rune(preview(c.Text, c.Spans, nil))
		if maxText > 0 && len(text) > maxText {
			text = append(text[:maxText-1], '…')
		}
		out = append(out, "  "+asMarkup(string(text)))
	}
	if n := len(c.Images); n > 0 {
		out = append(out, "  "+t.N("summary.images", n))
	}
	if c.Kind == herald.CarouselContent {
		for _, l := range t.describeCards(c) {
			out = append(out, "  "+l)
		}
		return out
	}
	for _, bt := range c.Buttons {
		out = append(out, "  ["+t.describeButton(bt)+"]")
	}
	return out
}

var recipientKeys = map[herald.RecipientKind]string{
	herald.Users: "recipients.users", herald.Groups: "recipients.groups", herald.Both: "recipients.both", "": "recipients.users",
}

var contentKeys = map[herald.ContentKind]string{
	herald.TextContent: "kind.text", herald.ImageContent: "kind.images", herald.CardContent: "kind.card",
	herald.CarouselContent: "kind.carousel", "": "summary.unset",
}

// degradeNotes says where a channel will show the message differently
// from what the admin built.
func (t *turn) degradeNotes(d *herald.Broadcast) []string {
	var notes []string
	c := &d.Content
	line, msgr, tg := d.Audience.HasChannel(herald.LINE), d.Audience.HasChannel(herald.Messenger), d.Audience.HasChannel(herald.Telegram)
	if line && len(c.Buttons) > 0 && c.Kind == herald.TextContent {
		notes = append(notes, t.T("degrade.line_buttons"))
	}
	if line && c.Kind == herald.ImageContent && c.Text != "" {
		notes = append(notes, t.T("degrade.line_caption"))
	}
	if n := lineRequests(c); line && n > 1 {
		notes = append(notes, t.N("degrade.line_many_images", n))
	}
	if msgr && c.Kind == herald.ImageContent && len(c.Images) > 1 {
		notes = append(notes, t.T("degrade.messenger_images"))
	}
	if msgr && len(c.Buttons) > 0 && len([]rune(c.Text)) > 640 {
		notes = append(notes, t.T("degrade.messenger_button_text"))
	}
	if tg && c.Kind == herald.ImageContent && len(c.Images) > 1 && len(c.Buttons) > 0 {
		notes = append(notes, t.T("degrade.telegram_album_buttons"))
	}
	if line && t.e.cfg.TrackClicks && c.HasLinks() {
		notes = append(notes, t.T("degrade.line_tracked_push"))
	}
	if line && c.Personalized() {
		notes = append(notes, t.T("degrade.line_personalized"))
	}
	return append(notes, t.richNotes(d)...)
}

// lineRequests is how many LINE messages in a row the content takes, as
// dispatch/line renders it: a request holds 5 items; pictures are one item
// each, followed by their caption, or by one card with the buttons (a
// single picture goes in the card).
func lineRequests(c *herald.Content) int {
	if c.Kind != herald.ImageContent {
		return 1
	}
	items := len(c.Images)
	switch {
	case len(c.Buttons) > 0 && items <= 1:
		items = 1
	case len(c.Buttons) > 0 || c.Text != "":
		items++
	}
	return (items + 4) / 5
}

func handleSummary(t *turn) error {
	c := t.pressed()
	if step, ok := editStep(c, &t.sess.Draft.Content); ok {
		t.sess.FromSummary = true
		return t.goTo(step)
	}
	switch c {
	case "sum:ab":
		d := &t.sess.Draft
		if msg := t.abStart(d); msg != "" {
			return t.fail(msg)
		}
		t.sess.FromSummary = true
		if d.Test != nil && d.Test.N() >= herald.MaxVariants {
			return t.goTo(stepABSplit)
		}
		return t.goTo(stepABText)
	case "sum:test":
		return t.sendTest()
	case "sum:confirm":
		return t.confirm()
	case "sum:draft":
		return t.saveDraft()
	}
	return t.fail(t.T("err.pick_choice"))
}

// confirm hands the draft to the service, which checks it as every door
// does and schedules it (or asks for approval).
func (t *turn) confirm() error {
	d := t.sess.Draft
	if d.Schedule.Kind == herald.SendNow {
		d.Schedule.At = time.Time{} // the undo delay runs from now
	}
	if other, err := t.nameTaken(d.Name); err != nil {
		return err
	} else if other != "" {
		return t.fail(t.T("err.name.taken", "Name", d.Name, "ID", other))
	}
	if acc, bad := t.deniedAccount(&d.Audience); bad { // an edit or clone of someone else's
		return t.fail(t.denied(acc))
	}
	saved, cnt, err := t.e.cfg.Broadcasts.Submit(t.ctx, d, t.sess.EditID, t.who())
	if msg, over := t.quotaRefusal(err); over {
		return t.fail(msg)
	}
	if err != nil {
		var ve *herald.ValidationError
		if errors.As(err, &ve) {
			if msg := t.timingLine(&d.Schedule, ve); msg != "" {
				return t.fail(t.sentences(msg, t.T("err.fix_timing")))
			}
			return t.fail(t.validationLine(err))
		}
		return t.saveFailed(err, d.Name)
	}
	t.sess, t.drop = &session{}, true
	id := saved.ID
	first, whole, abLine, err := t.confirmCount(&saved, cnt)
	if err != nil { // it is saved: confirm it with the count at hand
		t.e.cfg.Logger.Warn("flows: count an A/B test's split", "broadcast_id", saved.ID, "error", err)
		first, whole, abLine = cnt.Total, cnt.Total, ""
	}
	withAB := func(s string) string { return strings.TrimSuffix(s+"\n"+abLine, "\n") }
	switch {
	case saved.Status == herald.StatusPending:
		// The admin chats post the approvers a request with buttons;
		// without them, the creator has to tell them.
		key := "confirm.pending"
		if t.e.cfg.AsksApprovers {
			key = "confirm.pending_asked"
		}
		t.say(withAB(t.T(key, "ID", id, "Recipients", t.recipients(whole), "Threshold", FormatCount(t.e.cfg.ApprovalThreshold))),
			t.choice("/show "+id, t.T("btn.show")), t.choice("/cancel "+id, t.T("btn.cancel_broadcast")))
	case d.Schedule.Kind == herald.SendNow:
		t.say(withAB(t.N("confirm.now", int(t.e.cfg.UndoDelay.Seconds()), "ID", id, "Recipients", t.recipients(first))),
			t.choice("/undo "+id, t.T("btn.undo")), t.choice("/show "+id, t.T("btn.show")))
		t.replies[len(t.replies)-1].Undo = id
	default:
		t.say(withAB(t.T("confirm.scheduled", "ID", id, "When", t.describeSchedule(&saved.Schedule), "Recipients", t.recipients(first))),
			t.choice("/show "+id, t.T("btn.show")), t.choice("/pause "+id, t.T("btn.pause")), t.choice("/new", t.T("btn.new")))
	}
	return nil
}

// confirmCount is who the confirmation names: first, who get it first
// (an A/B test's variants, all of them), and whole, who get it in the end
// (what the approval threshold weighs); for a test, abLine says the rest
// get the winner later.
func (t *turn) confirmCount(b *herald.Broadcast, cnt herald.Count) (first, whole int, abLine string, err error) {
	if b.Test == nil {
		return cnt.Total, cnt.Total, "", nil
	}
	s, err := t.abCount(b)
	if err != nil {
		return 0, 0, "", err
	}
	return s.Now, s.All, t.N("confirm.ab", s.Now, "Count", b.Test.N(), "Now", FormatCount(s.Now), "Rest", FormatCount(s.Rest),
		"Wait", WholeMinutes(t.loc, int64(b.Test.Wait/time.Minute))), nil
}

// saveFailed answers a save the service refused for a reason other than
// a rule of the broadcast itself; nil when a reply says why.
func (t *turn) saveFailed(err error, name string) error {
	id := t.sess.EditID
	switch {
	case errors.Is(err, herald.ErrNotFound) && id != "":
		t.sess, t.drop = &session{}, true
		t.say(t.T("err.broadcast_gone", "ID", id))
		return nil
	case errors.Is(err, herald.ErrInvalidTransition):
		t.errLine = t.T("err.status_changed", "ID", id)
		return t.ask()
	case errors.Is(err, herald.ErrConflict):
		t.errLine = t.T("err.name.taken", "Name", name, "ID", "?")
		return t.ask()
	}
	return err
}

func (t *turn) saveDraft() error {
	d := t.sess.Draft
	if strings.TrimSpace(d.Name) == "" {
		return t.fail(t.T("err.name.empty"))
	}
	saved, err := t.e.cfg.Broadcasts.SaveDraft(t.ctx, d, t.sess.EditID, t.who())
	if err != nil {
		return t.saveFailed(err, d.Name)
	}
	t.sess, t.drop = &session{}, true
	t.say(t.T("draft.saved", "ID", saved.ID, "Name", saved.Name),
		t.choice("/edit "+saved.ID, t.T("btn.edit")), t.choice("/list drafts", t.T("btn.drafts")))
	return nil
}

// validationLine turns a domain validation error into one localized line
// saying what to fix.
func (t *turn) validationLine(err error) string {
	var ve *herald.ValidationError
	if !errors.As(err, &ve) {
		return t.T("err.invalid_generic")
	}
	switch {
	case ve.Code == herald.CodeNoRecipients:
		return t.T("err.audience.empty")
	case ve.Field == "name":
		return t.T("err.name.empty")
	case strings.HasPrefix(ve.Field, "audience.channels"):
		return t.T("err.channels.none")
	case strings.HasPrefix(ve.Field, "audience.recipients"):
		return t.T("err.recipients.no_groups")
	case strings.HasPrefix(ve.Field, "audience"):
		return t.T("err.audience.invalid")
	case ve.Field == "content.buttons" && ve.Code == herald.CodeTooMany:
		return t.T("err.buttons.too_many", "Limit", ve.Limit)
	case strings.HasPrefix(ve.Field, "content.kind"):
		return t.T("err.content.missing")
	case strings.HasPrefix(ve.Field, "content"):
		return t.T("err.content.invalid")
	case ve.Field == "category" || ve.Field == "tag":
		return t.T("err.category.missing")
	case strings.HasSuffix(ve.Field, ".quiet"): // schedule.quiet
		return t.T("err.quiet.invalid")
	case strings.HasPrefix(ve.Field, "schedule"):
		return t.T("err.timing.missing")
	case ve.Field == "ab_test.schedule":
		return t.T("err.ab.timing")
	}
	return t.T("err.invalid_generic")
}
