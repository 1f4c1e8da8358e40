package flows

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// show is one broadcast with buttons for what can be done next.
func (m *manager) show(args string) error {
	b, ok, err := m.t.broadcastArg("/show", args)
	if !ok {
		return err
	}
	runs, _ := m.reads.RunsOf(b.ID)
	_, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	var countLine string
	cs := m.actionsFor(&b)
	if b.Status.Final() && len(runs) > 0 && !strings.EqualFold(strings.TrimSpace(rest), "count") {
		// A finished broadcast reached the people its run had; today's
		// audience is another number, shown only when asked for.
		sent := sentRun(runs) // not a retry of its failed
		countLine = m.runCount(&b, sent)
		if line := ControlLine(m.t.loc, b.Audience.Sample, sent.Control); line != "" {
			countLine += "\n" + line // as the report says it
		}
		cs = append(cs, m.t.choice("/show "+b.ID+" count", m.t.T("btn.count_now")))
	} else {
		_, line, err := m.t.liveCount(&b) // a test's whole audience and its split
		if err != nil {
			return err
		}
		countLine = line
		if b.Status.Final() && len(runs) > 0 {
			countLine = m.t.T("show.count_now", "Count", countLine)
		}
	}
	text := m.t.T("show.header", "ID", b.ID, "Name", b.Name, "Status", StatusName(m.t.loc, b.Status)) + "\n" + m.t.summaryText(&b, countLine, true)
	if len(runs) > 0 {
		text += "\n" + m.runLine(runs[len(runs)-1])
		text += m.accountLines(&b, runs[len(runs)-1])
	}
	ab, picks, err := m.abShown(&b)
	if err != nil {
		return err
	}
	m.t.say(text+ab, append(picks, cs...)...)
	return nil
}

// runCount is who a run was sent to, by channel.
func (m *manager) runCount(b *herald.Broadcast, r herald.Run) string {
	var parts []string
	byAccount := r.AccountTallies()
	for _, p := range b.Audience.Channels {
		if byAccount == nil {
			x := r.Tally[p]
			parts = append(parts, PlatformName(p)+" "+FormatCount(x.Pending+x.Sent+x.Failed+x.Skipped))
			continue
		}
		for _, acc := range m.t.e.accountsOn(p) { // "LINE · Shop 120 · LINE · Support 80"
			if x, ok := byAccount[acc.Account]; ok {
				parts = append(parts, m.t.e.accountLabel(acc.Account)+" "+FormatCount(x.Pending+x.Sent+x.Failed+x.Skipped))
			}
		}
	}
	return m.t.N("show.run_count", r.Total, "Total", FormatCount(r.Total), "Platforms", strings.Join(parts, " · "))
}

// sentRun is the last of runs that sent to the audience (not a retry of
// its failed): who the broadcast was for, and the run whose snapshot
// counted a holdout's control group.
func sentRun(runs []herald.Run) herald.Run {
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].RetryOf == "" {
			return runs[i]
		}
	}
	return herald.Run{}
}

// actionsFor offers the next likely actions for a broadcast's status.
func (m *manager) actionsFor(b *herald.Broadcast) []Choice {
	id := b.ID
	var cs []Choice
	add := func(cmd, key string) { cs = append(cs, m.t.choice(cmd+" "+id, m.t.T(key))) }
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
	if m.failedIn(b) {
		add("/errors", "btn.errors")
	}
	add("/log", "btn.log")
	add("/clone", "btn.clone")
	return cs
}

// failedIn reports whether any run of b has someone /errors would list.
func (m *manager) failedIn(b *herald.Broadcast) bool {
	if b.Runs == 0 {
		return false
	}
	runs, _ := m.reads.RunsOf(b.ID)
	for _, r := range runs {
		for _, x := range r.Tally {
			if x.HasFailures() {
				return true
			}
		}
	}
	return false
}

func (m *manager) runLine(r herald.Run) string {
	var sum herald.Tally
	for _, x := range r.Tally {
		sum = sum.Add(x)
	}
	return m.t.T("run.line", "N", r.N, "Status", RunStatusName(m.t.loc, r.Status), "Sent", FormatCount(sum.Sent), "Failed", FormatCount(sum.Failed),
		"Skipped", FormatCount(sum.Skipped), "Pending", FormatCount(sum.Pending), "Total", FormatCount(r.Total), "Started", m.t.when(r.StartedAt),
		"Ended", m.t.ended(r), "Channels", m.t.runChannels(r))
}

// actionKeys and doneKeys name status changes in the admin's language.
var (
	actionKeys = map[string]string{"pause": "action.pause", "resume": "action.resume", "cancel": "action.cancel"}
	doneKeys   = map[string]string{"pause": "done.pause", "resume": "done.resume", "cancel": "done.cancel"}
)

// changeStatus pauses, resumes or cancels, through the service.
func (m *manager) changeStatus(action, args string) error {
	b, ok, err := m.t.broadcastArg("/"+action, args)
	if !ok {
		return err
	}
	if action == "cancel" && !m.cancelConfirmed(b, args) {
		return nil
	}
	svc := m.svc
	do := map[string]func(context.Context, string, broadcasts.Actor) (herald.Change, error){
		"pause": svc.Pause, "resume": svc.Resume, "cancel": svc.Cancel}[action]
	ch, err := do(m.t.ctx, b.ID, m.t.who())
	if isInvalid(err) {
		now, _ := m.reads.Broadcast(b.ID)
		if now.ID == "" {
			now = b
		}
		m.t.say(m.t.T("err.cannot", "Action", m.t.T(actionKeys[action]), "ID", b.ID, "Status", StatusName(m.t.loc, now.Status)), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: %s %s: %w", action, b.ID, err)
	}
	b = ch.Broadcast
	done := doneKeys[action]
	if action == "resume" && broadcasts.Overdue(&b, m.t.now) { // "Send now" on a missed one-off
		done = "done.resume_now"
	}
	m.t.say(m.t.T(done, "ID", b.ID, "Name", b.Name), m.actionsFor(&b)...)
	return nil
}

// cancelConfirmed reports whether a /cancel may go ahead. Stopping a
// broadcast in the middle of sending cannot be undone, and the button sits
// on every progress card, so it asks first: "/cancel ID confirm" (the
// Confirm button) cancels, "/cancel ID keep" leaves it sending. Anything
// else that is not sending cancels at once, as before.
func (m *manager) cancelConfirmed(b herald.Broadcast, args string) bool {
	if b.Status != herald.StatusSending {
		return true
	}
	_, word, _ := strings.Cut(strings.TrimSpace(args), " ")
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "confirm":
		return true
	case "keep":
		m.t.say(m.t.T("done.keep_sending", "ID", b.ID, "Name", b.Name), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return false
	}
	m.t.say(m.t.T("ask.cancel_sending", "ID", b.ID, "Name", b.Name),
		m.t.choice("/cancel "+b.ID+" confirm", m.t.T("btn.confirm_cancel")), m.t.choice("/cancel "+b.ID+" keep", m.t.T("btn.keep_sending")))
	return false
}

// unsend answers /delete and the send-now's Undo (/undo): both take back
// a broadcast that has not sent, and both come too late once its run
// started. Undo is undo-send: the broadcast is back in the drafts, as it
// was entered, with what to do with it next.
func (m *manager) unsend(cmd, args string) error {
	b, ok, err := m.t.broadcastArg(cmd, args)
	if !ok {
		return err
	}
	if cmd == "/undo" {
		_, err = m.svc.Undo(m.t.ctx, b.ID, m.t.who())
	} else {
		_, err = m.svc.Delete(m.t.ctx, b.ID, m.t.who())
	}
	switch {
	case isInvalid(err):
		m.cannotDelete(cmd, b)
	case err != nil:
		return fmt.Errorf("flows: %s %s: %w", cmd[1:], b.ID, err)
	case cmd == "/undo":
		m.t.say(m.t.T("done.undo", "ID", b.ID, "Name", b.Name),
			m.t.choice("/edit "+b.ID, m.t.T("btn.edit")), m.t.choice("/delete "+b.ID, m.t.T("btn.delete")))
	default:
		if m.t.sess.EditID == b.ID {
			m.t.sess, m.t.drop = &session{}, true
		}
		m.t.say(m.t.T("done.delete", "ID", b.ID, "Name", b.Name), m.t.choice("/list", m.t.T("btn.list")))
	}
	return nil
}

// cannotDelete answers a /delete (or an Undo) that came too late: a
// broadcast still going can be cancelled (an Undo is told it has started
// sending and can no longer be undone); a finished one is history, so only
// what can still be done is offered.
func (m *manager) cannotDelete(cmd string, b herald.Broadcast) {
	if now, err := m.reads.Broadcast(b.ID); err == nil {
		b = now
	}
	if !b.Status.Final() {
		key := "err.cannot_delete"
		if cmd == "/undo" {
			key = "err.cannot_undo"
		}
		m.t.say(m.t.T(key, "ID", b.ID), m.t.choice("/cancel "+b.ID, m.t.T("btn.cancel_broadcast")))
		return
	}
	m.t.say(m.t.T("err.cannot_delete_done", "ID", b.ID, "Status", StatusName(m.t.loc, b.Status)),
		m.t.choice("/show "+b.ID, m.t.T("btn.show")), m.t.choice("/clone "+b.ID, m.t.T("btn.clone")))
}

// accountLines is the run's sent, failed and skipped account by account
// ("LINE · Shop: ✅ 12 sent · ❌ 1 failed · ⏭ 0 skipped"), one line each,
// when it reached a named account; "" otherwise.
func (m *manager) accountLines(b *herald.Broadcast, r herald.Run) string {
	byAccount := r.AccountTallies()
	if byAccount == nil {
		return ""
	}
	var out strings.Builder
	for _, p := range b.Audience.Channels {
		for _, acc := range m.t.e.accountsOn(p) {
			if x, ok := byAccount[acc.Account]; ok {
				out.WriteString("\n" + m.t.T("report.channel", "Channel", m.t.e.accountLabel(acc.Account), "Sent", FormatCount(x.Sent),
					"Failed", FormatCount(x.Failed), "Skipped", FormatCount(x.Skipped)))
			}
		}
	}
	return out.String()
}
