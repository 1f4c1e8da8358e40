package flows

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
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

// changeStatus pauses, resumes or cancels, through the service.
func (t *turn) changeStatus(action, args string) error {
	b, ok, err := t.broadcastArg("/"+action, args)
	if !ok {
		return err
	}
	svc := t.e.cfg.Broadcasts
	do := map[string]func(context.Context, string, broadcasts.Actor) (herald.Change, error){
		"pause": svc.Pause, "resume": svc.Resume, "cancel": svc.Cancel}[action]
	ch, err := do(t.ctx, b.ID, t.who())
	if isInvalid(err) {
		now, _ := t.e.cfg.Store.Broadcast(b.ID)
		if now.ID == "" {
			now = b
		}
		t.say(t.T("err.cannot", "Action", t.T(actionKeys[action]), "ID", b.ID, "Status", t.T(statusKeys[now.Status])), t.choice("/show "+b.ID, t.T("btn.show")))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: %s %s: %w", action, b.ID, err)
	}
	b = ch.Broadcast
	done := doneKeys[action]
	if action == "resume" && broadcasts.Overdue(&b, t.now) { // "Send now" on a missed one-off
		done = "done.resume_now"
	}
	t.say(t.T(done, "ID", b.ID, "Name", b.Name), t.actionsFor(&b)...)
	return nil
}

// edit takes a draft or not-yet-started broadcast back into the summary.
// It becomes a draft while edited so the scheduler leaves it alone.
func (t *turn) edit(args string) error {
	b, ok, err := t.broadcastArg("/edit", args)
	if !ok {
		return err
	}
	ch, err := t.e.cfg.Broadcasts.Edit(t.ctx, b.ID, t.who())
	if isInvalid(err) {
		t.say(t.T("err.cannot_edit", "ID", b.ID, "Status", t.T(statusKeys[b.Status])), t.choice("/clone "+b.ID, t.T("btn.clone")))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: edit %s: %w", args, err)
	}
	b = ch.Broadcast
	if ch.Changed() {
		t.say(t.T("edit.unscheduled", "ID", b.ID))
	}
	t.sess = &session{Draft: b, EditID: b.ID, EditStatus: ch.From}
	// "/edit ID timing" (a missed run's Reschedule) opens one field, as
	// its button at the summary would; Back leads to the summary.
	_, field, _ := strings.Cut(strings.TrimSpace(args), " ")
	if step, ok := editTargets["ed:"+strings.ToLower(strings.TrimSpace(field))]; ok {
		t.sess.Step, t.sess.FromSummary = stepSummary, true
		return t.goTo(step)
	}
	return t.toSummary()
}

// clone copies any broadcast into a new draft and opens it.
func (t *turn) clone(args string) error {
	b, ok, err := t.broadcastArg("/clone", args)
	if !ok {
		return err
	}
	who := t.who()
	c, err := t.e.cfg.Broadcasts.Clone(t.ctx, b.ID, t.T("clone.suffix"), who.Where, who)
	if err != nil {
		return fmt.Errorf("flows: clone %s: %w", b.ID, err)
	}
	t.say(t.T("clone.done", "ID", c.ID, "From", b.ID))
	t.sess = &session{Draft: c, EditID: c.ID}
	return t.toSummary()
}

func (t *turn) deleteBroadcast(args string) error {
	b, ok, err := t.broadcastArg("/delete", args)
	if !ok {
		return err
	}
	_, err = t.e.cfg.Broadcasts.Delete(t.ctx, b.ID, t.who())
	if isInvalid(err) {
		t.say(t.T("err.cannot_delete", "ID", b.ID), t.choice("/cancel "+b.ID, t.T("btn.cancel_broadcast")))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: delete %s: %w", b.ID, err)
	}
	if t.sess.EditID == b.ID {
		t.sess, t.drop = &session{}, true
	}
	t.say(t.T("done.delete", "ID", b.ID, "Name", b.Name), t.choice("/list", t.T("btn.list")))
	return nil
}
