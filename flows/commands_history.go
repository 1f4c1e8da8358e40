package flows

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// errorsOf lists failed recipients grouped by reason, attaches them all
// as a CSV file (the API's failures.csv, byte for byte) and offers to
// retry those who can still be reached.
func (t *turn) errorsOf(args string) error {
	b, ok, err := t.broadcastArg("/errors", args)
	if !ok {
		return err
	}
	var buf bytes.Buffer
	counted, total, err := t.e.cfg.Broadcasts.WriteFailures(&buf, b.ID, nil)
	if err != nil {
		return fmt.Errorf("flows: failures of %s: %w", b.ID, err)
	}
	if total == 0 {
		t.say(t.T("errors.none", "ID", b.ID), t.choice("/log "+b.ID, t.T("btn.log")))
		return nil
	}
	reasons := map[string]int{}
	for rc, n := range counted {
		reasons[rc.Reason] += n
	}
	type rc struct {
		reason string
		n      int
	}
	var rs []rc
	for r, n := range reasons {
		rs = append(rs, rc{r, n})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n || (rs[i].n == rs[j].n && rs[i].reason < rs[j].reason) })
	lines := []string{t.N("errors.title", total, "ID", b.ID)}
	for _, x := range rs[:min(len(rs), 6)] {
		lines = append(lines, fmt.Sprintf("• %s: %s", t.orDash(x.reason), FormatCount(x.n)))
	}
	var cs []Choice
	if n, err := t.e.cfg.Broadcasts.Retryable(b.ID); err == nil && n > 0 {
		cs = append(cs, t.choice("/retry "+b.ID, t.T("btn.retry_failed", "Count", FormatCount(n))))
	}
	t.replies = append(t.replies, Reply{Text: strings.Join(lines, "\n"), Choices: cs,
		File: &File{Name: "failed-" + b.ID + ".csv", ContentType: "text/csv", Data: buf.Bytes()}})
	return nil
}

// retry sends a broadcast again to the recipients its last run failed.
func (t *turn) retry(args string) error {
	b, ok, err := t.broadcastArg("/retry", args)
	if !ok {
		return err
	}
	run, n, err := t.e.cfg.Broadcasts.RetryFailed(t.ctx, b.ID, t.who())
	switch {
	case errors.Is(err, broadcasts.ErrNothingToRetry):
		t.say(t.T("retry.none", "ID", b.ID), t.choice("/show "+b.ID, t.T("btn.show")))
		return nil
	case errors.Is(err, herald.ErrConflict):
		t.say(t.T("retry.running", "ID", b.ID), t.choice("/show "+b.ID, t.T("btn.show")))
		return nil
	case errors.Is(err, broadcasts.ErrNoDispatcher):
		t.say(t.T("retry.unavailable"))
		return nil
	case err != nil:
		return fmt.Errorf("flows: retry %s: %w", b.ID, err)
	}
	t.say(t.N("retry.started", n, "ID", b.ID, "Name", b.Name, "Run", run.N, "Count", FormatCount(n)),
		t.choice("/show "+b.ID, t.T("btn.show")), t.choice("/pause "+b.ID, t.T("btn.pause")))
	return nil
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
