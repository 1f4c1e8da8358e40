package flows

import (
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// auditDetail is an audit entry's detail in the admin's language. Details
// are stored as Herald wrote them, in English (the log outlives a /lang);
// the shapes Herald writes are put in words here, and anything else (a
// broadcast's name, a reason an admin typed, a platform's error) shows as
// stored.
func (m *manager) auditDetail(e herald.AuditEntry) string {
	d := strings.TrimSpace(e.Detail)
	t := m.t
	switch {
	case d == "edited":
		return t.T("log.detail.edited")
	case e.Action == "broadcast.clone" && strings.HasPrefix(d, "from "):
		return t.T("log.detail.cloned_from", "ID", strings.TrimPrefix(d, "from "))
	case e.Action == "broadcast.edit_canceled":
		return StatusName(t.loc, herald.Status(d))
	case e.Action == "broadcast.finished" && d == "no occurrences left":
		return t.T("log.detail.no_occurrences")
	case e.Action == "access.denied" && strings.HasSuffix(d, " own broadcast"):
		if key, ok := ownDeniedKeys[strings.TrimSuffix(d, " own broadcast")]; ok {
			return t.T(key)
		}
	case e.Action == "broadcast.auto_pause":
		if a, ok := herald.ParseAutoPause(d); ok {
			return t.T("log.detail.auto_pause", "Failed", FormatCount(a.Failed), "Finished", FormatCount(a.Finished),
				"Percent", Percent(float64(a.Failed)/float64(a.Finished)), "Limit", Percent(a.Threshold))
		}
	case e.Action == "broadcast.start_failed": // the error is the operator's, in the server log
		if strings.Contains(d, herald.ErrInvalidTransition.Error()) {
			return t.T("log.detail.start_not_scheduled")
		}
		return t.T("log.detail.start_error", "ID", e.Target)
	case (e.Action == "broadcast.run_sending" || e.Action == "broadcast.run_ended") && strings.HasPrefix(d, "instance "):
		return t.T("log.detail.instance", "Name", strings.TrimPrefix(d, "instance "))
	case e.Action == "broadcast.missed":
		late, then, _ := strings.Cut(d, "; ")
		late = strings.TrimPrefix(late, "missed by ")
		if dur, err := time.ParseDuration(late); err == nil {
			late = RoughDuration(t.loc, dur)
		}
		switch then {
		case "skipped to the next occurrence":
			return t.T("log.detail.missed_skipped", "Late", late)
		case "paused until an admin decides":
			return t.T("log.detail.missed_paused", "Late", late)
		}
	}
	return d
}

// ownDeniedKeys name what an admin may not do to their own broadcast.
var ownDeniedKeys = map[string]string{"approve": "log.detail.own_approve", "reject": "log.detail.own_reject"}
