package flows

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// errorsOf lists failed recipients grouped by reason, attaches them all
// as a CSV file (the API's failures.csv, byte for byte) and offers to
// retry those who can still be reached.
func (m *manager) errorsOf(args string) error {
	b, ok, err := m.t.broadcastArg("/errors", args)
	if !ok {
		return err
	}
	var buf bytes.Buffer
	counted, total, err := m.svc.WriteFailures(&buf, b.ID, nil)
	if err != nil {
		return fmt.Errorf("flows: failures of %s: %w", b.ID, err)
	}
	if total == 0 {
		m.t.say(m.t.T("errors.none", "ID", b.ID), m.t.choice("/log "+b.ID, m.t.T("btn.log")))
		return nil
	}
	reasons := herald.ReasonCounter{} // one list across platforms
	for rc, n := range counted {
		reasons[herald.ReasonCount{Reason: rc.Reason}] += n
	}
	rs := reasons.Sorted()
	lines := []string{m.t.N("errors.title", total, "ID", b.ID)}
	for _, x := range rs[:min(len(rs), 6)] {
		lines = append(lines, m.t.T("count.item", "What", ReasonName(m.t.loc, x.Reason), "Count", FormatCount(x.Count)))
	}
	if line := m.t.failuresByAccount(counted); line != "" {
		lines = append(lines, line)
	}
	var cs []Choice
	if n, err := m.svc.Retryable(b.ID); err == nil && n > 0 {
		cs = append(cs, m.t.choice("/retry "+b.ID, m.t.T("btn.retry_failed", "Count", FormatCount(n))))
	}
	m.t.replies = append(m.t.replies, Reply{Text: strings.Join(lines, "\n"), Choices: cs,
		File: &File{Name: "failed-" + b.ID + ".csv", ContentType: "text/csv", Data: buf.Bytes()}})
	return nil
}

// retry sends a broadcast again to the recipients its last run failed.
func (m *manager) retry(args string) error {
	b, ok, err := m.t.broadcastArg("/retry", args)
	if !ok {
		return err
	}
	run, n, err := m.svc.RetryFailed(m.t.ctx, b.ID, m.t.who())
	switch {
	case errors.Is(err, broadcasts.ErrNothingToRetry):
		m.t.say(m.t.T("retry.none", "ID", b.ID), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return nil
	case errors.Is(err, herald.ErrConflict):
		m.t.say(m.t.T("retry.running", "ID", b.ID), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return nil
	case errors.Is(err, broadcasts.ErrNoDispatcher):
		m.t.say(m.t.T("retry.unavailable"))
		return nil
	case err != nil:
		return fmt.Errorf("flows: retry %s: %w", b.ID, err)
	}
	m.t.say(m.t.N("retry.started", n, "ID", b.ID, "Name", b.Name, "Run", run.N, "Count", FormatCount(n)),
		m.t.choice("/show "+b.ID, m.t.T("btn.show")), m.t.choice("/pause "+b.ID, m.t.T("btn.pause")))
	return nil
}

// logOf is a broadcast's story: runs and who did what.
func (m *manager) logOf(args string) error {
	if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(args)), "Q-") && m.t.e.cfg.Sequences != nil {
		return m.sequenceLog(normalizeSequenceID(args))
	}
	b, ok, err := m.t.broadcastArg("/log", args)
	if !ok {
		return err
	}
	lines := []string{m.t.T("log.title", "ID", b.ID, "Name", b.Name, "Status", StatusName(m.t.loc, b.Status))}
	runs, err := m.reads.RunsOf(b.ID)
	if err != nil {
		return fmt.Errorf("flows: runs of %s: %w", b.ID, err)
	}
	for _, r := range runs {
		lines = append(lines, m.runLine(r))
	}
	entries, err := m.reads.AuditLog(b.ID, 20)
	if err != nil {
		return fmt.Errorf("flows: audit log of %s: %w", b.ID, err)
	}
	names := map[string]string{}
	for _, e := range entries {
		if e.Detail == b.Name { // a submit records the name: the title says it
			e.Detail = ""
		}
		lines = append(lines, m.auditLine(e, names))
	}
	m.t.say(strings.TrimSpace(strings.Join(lines, "\n")), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
	return nil
}

// auditKeys say what an audit entry of a broadcast records, in the admin's
// language; an action without one shows as stored.
var auditKeys = map[string]string{
	"broadcast.create":           "log.create",
	"broadcast.draft":            "log.draft",
	"broadcast.scheduled":        "log.scheduled",
	"broadcast.pending_approval": "log.pending",
	"broadcast.submit":           "log.pending", // what the service writes for it
	"broadcast.approve":          "log.approve",
	"broadcast.reject":           "log.reject",
	"broadcast.edit":             "log.edit",
	"broadcast.edit_canceled":    "log.edit_canceled",
	"broadcast.undo":             "log.undo",
	"broadcast.clone":            "log.clone",
	"broadcast.pause":            "log.pause",
	"broadcast.resume":           "log.resume",
	"broadcast.cancel":           "log.cancel",
	"broadcast.retry_failed":     "log.retry_failed",
	"broadcast.auto_pause":       "log.auto_pause",
	"broadcast.start_failed":     "log.start_failed",
	"broadcast.missed":           "log.missed",
	"broadcast.finished":         "log.finished",
	"broadcast.run_sending":      "log.run_sending", // by the instance that sends (several instances)
	"broadcast.run_ended":        "log.run_ended",
	"access.denied":              "log.denied",
	"sequence.create":            "log.create",
	"sequence.update":            "log.seq_changed",
	"sequence.pause":             "log.pause",
	"sequence.resume":            "log.resume",
	"sequence.delete":            "log.seq_deleted",
}

// auditLine is one audit entry as an admin reads it: when, who (the name
// they go by, looked up once per actor in names), what, and its detail.
func (m *manager) auditLine(e herald.AuditEntry, names map[string]string) string {
	who, ok := names[e.Actor]
	if !ok {
		who = m.actorName(e.Actor)
		names[e.Actor] = who
	}
	_, what, _ := strings.Cut(e.Action, ".") // a newer action without words: never its raw key
	what = strings.ReplaceAll(what, "_", " ")
	if key, ok := auditKeys[e.Action]; ok {
		what = m.t.T(key)
	}
	line := m.t.when(e.At) + " · " + who + " · " + what
	if d := m.auditDetail(e); d != "" {
		line += m.t.T("log.detail", "Detail", d)
	}
	return line
}

// actorName is who an audit actor is: an admin's name, Herald itself, or
// an API client; else the stored key.
func (m *manager) actorName(actor string) string {
	frontend, id, _ := strings.Cut(actor, ":")
	switch {
	case actor == "system":
		return m.t.T("log.herald")
	case frontend == "api":
		return m.t.T("log.api", "Client", id)
	}
	if a, err := m.reads.Admin(actor); err == nil && a.Name != "" {
		return a.Name
	}
	return actor
}
