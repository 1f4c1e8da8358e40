package flows

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// show is one broadcast with buttons for what can be done next.
func (t *turn) show(args string) error {
	b, ok, err := t.broadcastArg("/show", args)
	if !ok {
		return err
	}
	cnt, err := t.count(&b)
	if err != nil {
		return err
	}
	text := t.T("show.header", "ID", b.ID, "Name", b.Name, "Status", t.T(statusKeys[b.Status])) + "\n" + t.summaryText(&b, cnt)
	if runs, err := t.e.cfg.Store.RunsOf(b.ID); err == nil && len(runs) > 0 {
		text += "\n" + t.runLine(runs[len(runs)-1])
	}
	t.say(text, t.actionsFor(&b)...)
	return nil
}

// actionsFor offers the next likely actions for a broadcast's status.
func (t *turn) actionsFor(b *herald.Broadcast) []Choice {
	id := b.ID
	var cs []Choice
	add := func(cmd, key string) { cs = append(cs, t.choice(cmd+" "+id, t.T(key))) }
	switch b.Status {
	case herald.StatusDraft:
		add("/edit", "btn.edit")
		add("/delete", "btn.delete")
	case herald.StatusPending:
		add("/approve", "btn.approve")
		add("/reject", "btn.reject")
		add("/edit", "btn.edit")
		add("/cancel", "btn.cancel_broadcast")
	case herald.StatusScheduled:
		add("/pause", "btn.pause")
		if b.Runs == 0 {
			add("/edit", "btn.edit")
		}
		add("/cancel", "btn.cancel_broadcast")
	case herald.StatusSending:
		add("/pause", "btn.pause")
		add("/cancel", "btn.cancel_broadcast")
	case herald.StatusPaused:
		add("/resume", "btn.resume")
		add("/cancel", "btn.cancel_broadcast")
	}
	if b.Runs > 0 {
		add("/errors", "btn.errors")
	}
	add("/log", "btn.log")
	add("/clone", "btn.clone")
	return cs
}

func (t *turn) runLine(r herald.Run) string {
	var sum herald.Tally
	for _, x := range r.Tally {
		sum = sum.Add(x)
	}
	return t.T("run.line", "N", r.N, "Status", string(r.Status), "Sent", FormatCount(sum.Sent), "Failed", FormatCount(sum.Failed),
		"Skipped", FormatCount(sum.Skipped), "Pending", FormatCount(sum.Pending), "Total", FormatCount(r.Total), "Started", t.when(r.StartedAt))
}

// actionKeys and doneKeys name status changes in the admin's language.
var (
	actionKeys = map[string]string{"pause": "action.pause", "resume": "action.resume", "cancel": "action.cancel"}
	doneKeys   = map[string]string{"pause": "done.pause", "resume": "done.resume", "cancel": "done.cancel"}
)

// changeStatus pauses, resumes or cancels. Sending broadcasts go through
// the dispatcher (it stops its workers); others only change status.
func (t *turn) changeStatus(action, args string) error {
	b, ok, err := t.broadcastArg("/"+action, args)
	if !ok {
		return err
	}
	var to herald.Status
	switch action {
	case "pause":
		to = herald.StatusPaused
	case "resume":
		to = herald.StatusScheduled
	case "cancel":
		to = herald.StatusCanceled
	}
	was := b.Status
	running := b.Status == herald.StatusSending || (b.Status == herald.StatusPaused && b.Runs > 0)
	// Read before the change: the scheduler may have started it by the
	// time the reply is written.
	sendsNow := action == "resume" && !running && overdue(&b, t.now)
	if rc := t.e.cfg.Runs; rc != nil && running {
		switch action {
		case "pause":
			err = rc.Pause(t.ctx, b.ID, t.actor)
		case "resume":
			err = rc.Resume(t.ctx, b.ID, t.actor)
		default:
			err = rc.Cancel(t.ctx, b.ID, t.actor)
		}
	} else {
		_, err = t.e.cfg.Store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
			// Only what was paused resumes: a draft or a broadcast waiting
			// for approval is scheduled by confirming or approving it.
			if action == "resume" && x.Status != herald.StatusPaused {
				return fmt.Errorf("%w: %s → %s", herald.ErrInvalidTransition, x.Status, to)
			}
			if err := herald.Transition(x.Status, to); err != nil {
				return err
			}
			x.Status, x.UpdatedBy = to, t.actor
			return nil
		})
	}
	if errors.Is(err, herald.ErrInvalidTransition) {
		t.say(t.T("err.cannot", "Action", t.T(actionKeys[action]), "ID", b.ID, "Status", t.T(statusKeys[b.Status])), t.choice("/show "+b.ID, t.T("btn.show")))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: %s %s: %w", action, b.ID, err)
	}
	t.audit("broadcast."+action, b.ID, "")
	b, _, err = t.broadcastArg("/show", b.ID)
	if err != nil {
		return err
	}
	done := doneKeys[action]
	if sendsNow { // "Send now" on a missed one-off
		done = "done.resume_now"
	}
	t.say(t.T(done, "ID", b.ID, "Name", b.Name), t.actionsFor(&b)...)
	if b.Status != was { // the dispatcher takes a repeated pause as done
		t.notice(Action(action), b, "", nil)
	}
	return nil
}

// errDecided stops an approval or rejection when the broadcast stopped
// waiting for one between loading and saving it: an edit or a cancel in
// another chat got there first.
var errDecided = errors.New("flows: no longer waiting for approval")

// maxReasonRunes bounds a rejection's reason: it is quoted in chats.
const maxReasonRunes = 500

// approve is the second admin's yes under the two-person rule.
func (t *turn) approve(args string) error {
	defer t.lockDecision(args)()
	b, ok, err := t.decidable("/approve", args)
	if !ok {
		return err
	}
	id := b.ID
	b, err = t.e.cfg.Store.UpdateBroadcast(id, func(x *herald.Broadcast) error {
		if x.Status != herald.StatusPending {
			return errDecided
		}
		if x.Schedule.Kind == herald.SendNow {
			x.Schedule.At = t.now.Add(t.e.cfg.UndoDelay)
		}
		x.Status, x.ApprovedBy, x.UpdatedBy = herald.StatusScheduled, t.actor, t.actor
		return nil
	})
	if errors.Is(err, errDecided) {
		return t.decidedMeanwhile(id)
	}
	if err != nil {
		return fmt.Errorf("flows: approve: %w", err)
	}
	t.audit("broadcast.approve", b.ID, "")
	t.say(t.T("done.approve", "ID", b.ID, "Name", b.Name, "When", t.describeSchedule(&b.Schedule)), t.actionsFor(&b)...)
	t.notice(ActionApprove, b, "", nil)
	return nil
}

// reject is an approver's no, with an optional reason: the broadcast goes
// back to draft, so its creator can fix it and submit it again without
// entering anything twice.
func (t *turn) reject(args string) error {
	defer t.lockDecision(args)()
	b, ok, err := t.decidable("/reject", args)
	if !ok {
		return err
	}
	id := b.ID
	_, reason, _ := strings.Cut(strings.TrimSpace(args), " ")
	reason = strings.Join(strings.Fields(reason), " ")
	if r := []rune(reason); len(r) > maxReasonRunes {
		reason = string(r[:maxReasonRunes-1]) + "…"
	}
	b, err = t.e.cfg.Store.UpdateBroadcast(id, func(x *herald.Broadcast) error {
		if x.Status != herald.StatusPending {
			return errDecided
		}
		if x.Schedule.Kind == herald.SendNow {
			x.Schedule.At = time.Time{} // set again when it is confirmed
		}
		x.Status, x.ApprovedBy, x.UpdatedBy = herald.StatusDraft, "", t.actor
		return nil
	})
	if errors.Is(err, errDecided) {
		return t.decidedMeanwhile(id)
	}
	if err != nil {
		return fmt.Errorf("flows: reject: %w", err)
	}
	t.audit("broadcast.reject", b.ID, reason)
	t.say(t.T("done.reject", "ID", b.ID, "Name", b.Name, "Creator", t.actorName(b.CreatedBy)),
		t.choice("/show "+b.ID, t.T("btn.show")), t.choice("/log "+b.ID, t.T("btn.log")))
	t.notice(ActionReject, b, reason, nil)
	return nil
}

// lockDecision makes approvals and rejections of one broadcast take turns,
// from load to audit: a second approver pressing at the same moment then
// reads who decided first.
func (t *turn) lockDecision(args string) (unlock func()) {
	first, _, _ := strings.Cut(strings.TrimSpace(args), " ")
	return t.e.lock("decision:" + herald.NormalizeBroadcastID(first))
}

// decidable loads the broadcast an approver means to approve or reject,
// and explains when they may not: no approval rights (audited), already
// decided, or their own (made or submitted by them; audited). ok is false
// when a reply already says why.
func (t *turn) decidable(cmd, args string) (herald.Broadcast, bool, error) {
	b, ok, err := t.broadcastArg(cmd, args)
	if !ok {
		return b, false, err
	}
	what := strings.TrimPrefix(cmd, "/")
	switch {
	case !t.e.cfg.Access.MayApprove(t.in.Frontend, t.in.UserID):
		t.audit("access.denied", b.ID, what)
		t.say(t.T("err.may_not_approve"))
		return b, false, nil
	case b.Status != herald.StatusPending:
		return b, false, t.alreadyDecided(b)
	case b.CreatedBy == t.actor || b.UpdatedBy == t.actor:
		t.audit("access.denied", b.ID, what+" own broadcast")
		if what == "approve" {
			t.say(t.T("err.approve_own"))
		} else {
			t.say(t.T("err.reject_own", "ID", b.ID), t.choice("/edit "+b.ID, t.T("btn.edit")),
				t.choice("/cancel "+b.ID, t.T("btn.cancel_broadcast")))
		}
		return b, false, nil
	}
	return b, true, nil
}

// decidedMeanwhile answers an approval or rejection that lost the race to
// another one.
func (t *turn) decidedMeanwhile(id string) error {
	b, err := t.e.cfg.Store.Broadcast(id)
	if err != nil {
		return fmt.Errorf("flows: load %s: %w", id, err)
	}
	return t.alreadyDecided(b)
}

// alreadyDecided tells an approver why b no longer waits for them: who
// approved or rejected it, so a second press of Approve does nothing but
// say so.
func (t *turn) alreadyDecided(b herald.Broadcast) error {
	entries, err := t.e.cfg.Store.AuditLog(b.ID, 20)
	if err != nil {
		return fmt.Errorf("flows: audit log of %s: %w", b.ID, err)
	}
	show := t.choice("/show "+b.ID, t.T("btn.show"))
	status := t.T(statusKeys[b.Status])
	for _, e := range entries { // newest first
		switch e.Action {
		case "broadcast.approve":
			t.say(t.T("approval.already_approved", "ID", b.ID, "Name", b.Name, "Actor", t.actorName(e.Actor), "Status", status), show)
			return nil
		case "broadcast.reject":
			t.say(t.T("approval.already_rejected", "ID", b.ID, "Name", b.Name, "Actor", t.actorName(e.Actor), "Status", status), show)
			return nil
		case "broadcast.submit":
			// Submitted again since any decision, then withdrawn.
			t.say(t.T("err.not_pending", "ID", b.ID, "Status", status), show)
			return nil
		}
	}
	if b.ApprovedBy != "" { // the approval is older than the entries read
		t.say(t.T("approval.already_approved", "ID", b.ID, "Name", b.Name, "Actor", t.actorName(b.ApprovedBy), "Status", status), show)
		return nil
	}
	t.say(t.T("err.not_pending", "ID", b.ID, "Status", status), show)
	return nil
}

// edit takes a draft or not-yet-started broadcast back into the summary.
// It becomes a draft while edited so the scheduler leaves it alone.
func (t *turn) edit(args string) error {
	b, ok, err := t.broadcastArg("/edit", args)
	if !ok {
		return err
	}
	if b.Status != herald.StatusDraft && (b.Runs > 0 || !herald.CanTransition(b.Status, herald.StatusDraft)) {
		t.say(t.T("err.cannot_edit", "ID", b.ID, "Status", t.T(statusKeys[b.Status])), t.choice("/clone "+b.ID, t.T("btn.clone")))
		return nil
	}
	was := b.Status
	if b.Status != herald.StatusDraft {
		b, err = t.e.cfg.Store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
			if err := herald.Transition(x.Status, herald.StatusDraft); err != nil {
				return err
			}
			x.Status, x.UpdatedBy = herald.StatusDraft, t.actor
			return nil
		})
		if err != nil {
			return fmt.Errorf("flows: edit %s: %w", args, err)
		}
		t.say(t.T("edit.unscheduled", "ID", b.ID))
		t.notice(ActionEdit, b, "", nil)
	}
	t.audit("broadcast.edit", b.ID, "")
	t.sess = &session{Draft: b, EditID: b.ID, EditStatus: was}
	// "/edit ID timing" (a missed run's Reschedule) opens one field, as
	// its button at the summary would; Back leads to the summary.
	_, field, _ := strings.Cut(strings.TrimSpace(args), " ")
	if step, ok := editTargets["ed:"+strings.ToLower(strings.TrimSpace(field))]; ok {
		t.sess.Step, t.sess.FromSummary = stepSummary, true
		return t.goTo(step)
	}
	return t.toSummary()
}

// overdue reports whether a one-off that has not run is past its time:
// the scheduler sends it as soon as it is resumed.
func overdue(b *herald.Broadcast, now time.Time) bool {
	one := b.Schedule.Kind == herald.SendAt || b.Schedule.Kind == herald.SendNow
	return one && b.Runs == 0 && !b.Schedule.At.After(now)
}

// clone copies any broadcast into a new draft and opens it.
func (t *turn) clone(args string) error {
	b, ok, err := t.broadcastArg("/clone", args)
	if !ok {
		return err
	}
	c := herald.Broadcast{
		Origin:   herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName},
		Audience: b.Audience, Content: b.Content, Category: b.Category, Tag: b.Tag,
		EndOperatorChats: b.EndOperatorChats, Status: herald.StatusDraft, CreatedBy: t.actor, UpdatedBy: t.actor,
	}
	if b.Schedule.Kind == herald.SendRecurring || b.Schedule.Kind == herald.SendUserLocal {
		c.Schedule = b.Schedule
	}
	// A one-off's time has passed or will soon, but its quiet hours still fit.
	c.Schedule.Quiet = b.Schedule.Quiet
	base := []rune(b.Name)
	base = base[:min(len(base), herald.MaxNameLen-10)]
	for i := 1; ; i++ {
		c.Name = string(base) + " (" + t.T("clone.suffix") + ")"
		if i > 1 {
			c.Name = string(base) + " (" + t.T("clone.suffix") + " " + strconv.Itoa(i) + ")"
		}
		other, err := t.nameTaken(c.Name)
		if err != nil {
			return err
		}
		if other == "" || i > 20 {
			break
		}
	}
	if err := t.e.cfg.Store.CreateBroadcast(&c); err != nil {
		return fmt.Errorf("flows: clone %s: %w", b.ID, err)
	}
	t.audit("broadcast.clone", c.ID, "from "+b.ID)
	t.say(t.T("clone.done", "ID", c.ID, "From", b.ID))
	t.sess = &session{Draft: c, EditID: c.ID}
	return t.toSummary()
}

func (t *turn) deleteBroadcast(args string) error {
	b, ok, err := t.broadcastArg("/delete", args)
	if !ok {
		return err
	}
	if b.Runs > 0 || b.Status == herald.StatusSending {
		t.say(t.T("err.cannot_delete", "ID", b.ID), t.choice("/cancel "+b.ID, t.T("btn.cancel_broadcast")))
		return nil
	}
	if err := t.e.cfg.Store.DeleteBroadcast(b.ID); err != nil {
		return fmt.Errorf("flows: delete %s: %w", b.ID, err)
	}
	t.audit("broadcast.delete", b.ID, b.Name)
	if t.sess.EditID == b.ID {
		t.sess, t.drop = &session{}, true
	}
	t.say(t.T("done.delete", "ID", b.ID, "Name", b.Name), t.choice("/list", t.T("btn.list")))
	t.notice(ActionDelete, b, "", nil)
	return nil
}

// errorsOf lists failed recipients grouped by reason and attaches them
// all as a CSV file.
func (t *turn) errorsOf(args string) error {
	b, ok, err := t.broadcastArg("/errors", args)
	if !ok {
		return err
	}
	runs, err := t.e.cfg.Store.RunsOf(b.ID)
	if err != nil {
		return fmt.Errorf("flows: runs of %s: %w", b.ID, err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"run", "platform", "id", "reason", "attempts", "at"})
	reasons := herald.ReasonCounter{}
	total := 0
	for _, r := range runs {
		n, err := t.unreached(&r, w, reasons)
		if err != nil {
			return err
		}
		total += n
	}
	w.Flush()
	if total == 0 {
		t.say(t.T("errors.none", "ID", b.ID), t.choice("/log "+b.ID, t.T("btn.log")))
		return nil
	}
	rs := reasons.Sorted()
	lines := []string{t.N("errors.title", total, "ID", b.ID)}
	for _, x := range rs[:min(len(rs), 6)] {
		why := t.orDash(x.Reason)
		if x.Reason == herald.ReasonUncertain {
			why = t.T("reason.uncertain")
		}
		lines = append(lines, fmt.Sprintf("• %s: %s", why, FormatCount(x.Count)))
	}
	t.replies = append(t.replies, Reply{Text: strings.Join(lines, "\n"),
		File: &File{Name: "failed-" + b.ID + ".csv", ContentType: "text/csv", Data: buf.Bytes()}})
	return nil
}

// unreached writes a run's recipients who may not have the broadcast to
// w and counts their reasons: the failed, and those skipped because a
// crash left their outcome unknown (dispatch.on_uncertain: skip).
func (t *turn) unreached(r *herald.Run, w *csv.Writer, reasons herald.ReasonCounter) (int, error) {
	uncertain := 0
	for _, c := range r.Tally {
		uncertain += c.Uncertain
	}
	n := 0
	for _, o := range []herald.Outcome{herald.Failed, herald.Skipped} {
		if o == herald.Skipped && uncertain == 0 {
			continue
		}
		var after uint32
		for {
			ds, err := t.e.cfg.Store.Deliveries(r.ID, o, after, 1000)
			if err != nil {
				return n, fmt.Errorf("flows: deliveries of %s: %w", r.ID, err)
			}
			for _, d := range ds {
				after = d.Seq
				if o == herald.Skipped && d.Reason != herald.ReasonUncertain {
					continue
				}
				n++
				reasons.Add("", d.Reason) // one list across platforms
				_ = w.Write([]string{r.ID, string(d.Recipient.Platform), d.Recipient.ID, d.Reason, strconv.Itoa(d.Attempts), d.At.UTC().Format("2006-01-02T15:04:05Z")})
			}
			if len(ds) < 1000 {
				break
			}
		}
	}
	return n, nil
}

// logOf is a broadcast's story: runs and who did what.
func (t *turn) logOf(args string) error {
	b, ok, err := t.broadcastArg("/log", args)
	if !ok {
		return err
	}
	lines := []string{t.T("log.title", "ID", b.ID, "Name", b.Name, "Status", t.T(statusKeys[b.Status]))}
	runs, err := t.e.cfg.Store.RunsOf(b.ID)
	if err != nil {
		return fmt.Errorf("flows: runs of %s: %w", b.ID, err)
	}
	for _, r := range runs {
		lines = append(lines, t.runLine(r))
	}
	entries, err := t.e.cfg.Store.AuditLog(b.ID, 20)
	if err != nil {
		return fmt.Errorf("flows: audit log of %s: %w", b.ID, err)
	}
	names := map[string]string{}
	for _, e := range entries {
		lines = append(lines, t.auditLine(e, names))
	}
	t.say(strings.TrimSpace(strings.Join(lines, "\n")), t.choice("/show "+b.ID, t.T("btn.show")))
	return nil
}

// auditKeys say what an audit entry of a broadcast records, in the admin's
// language; an action without one shows as stored.
var auditKeys = map[string]string{
	"broadcast.create":           "log.create",
	"broadcast.draft":            "log.draft",
	"broadcast.scheduled":        "log.scheduled",
	"broadcast.pending_approval": "log.pending",
	"broadcast.approve":          "log.approve",
	"broadcast.reject":           "log.reject",
	"broadcast.edit":             "log.edit",
	"broadcast.edit_canceled":    "log.edit_canceled",
	"broadcast.clone":            "log.clone",
	"broadcast.pause":            "log.pause",
	"broadcast.resume":           "log.resume",
	"broadcast.cancel":           "log.cancel",
	"broadcast.retry_failed":     "log.retry_failed",
	"broadcast.auto_pause":       "log.auto_pause",
	"broadcast.start_failed":     "log.start_failed",
	"broadcast.missed":           "log.missed",
	"broadcast.finished":         "log.finished",
	"access.denied":              "log.denied",
}

// auditLine is one audit entry as an admin reads it: when, who (the name
// they go by, looked up once per actor in names), what, and its detail.
func (t *turn) auditLine(e herald.AuditEntry, names map[string]string) string {
	who, ok := names[e.Actor]
	if !ok {
		who = t.actorName(e.Actor)
		names[e.Actor] = who
	}
	what := e.Action
	if key, ok := auditKeys[e.Action]; ok {
		what = t.T(key)
	}
	line := t.when(e.At) + " · " + who + " · " + what
	if d := strings.TrimSpace(e.Detail); d != "" {
		line += " (" + d + ")"
	}
	return line
}

// actorName is who an audit actor is: an admin's name, Herald itself, or
// an API client; else the stored key.
func (t *turn) actorName(actor string) string {
	frontend, id, _ := strings.Cut(actor, ":")
	switch {
	case actor == "system":
		return t.T("log.herald")
	case frontend == "api":
		return t.T("log.api", "Client", id)
	}
	if a, err := t.e.cfg.Store.Admin(actor); err == nil && a.Name != "" {
		return a.Name
	}
	return actor
}
