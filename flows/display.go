package flows

import (
	"math"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

// Percent shows a fraction as a percentage: 0.05 → "5%", 0.0625 → "6.3%".
func Percent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/10, 'f', -1, 64) + "%"
}

// FormatCount writes a count with thousands separators, as every admin
// surface shows numbers: 10,000 reads faster than 10000.
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// PlatformName is how admins see a channel's name: the brand, never
// translated.
func PlatformName(p herald.Platform) string {
	switch p {
	case herald.LINE:
		return "LINE"
	case herald.Telegram:
		return "Telegram"
	case herald.Messenger:
		return "Messenger"
	}
	return string(p)
}

// statusKeys name statuses in the admin's language (see StatusName).
var statusKeys = map[herald.Status]string{
	herald.StatusDraft: "status.draft", herald.StatusPending: "status.pending_approval",
	herald.StatusScheduled: "status.scheduled", herald.StatusSending: "status.sending",
	herald.StatusPaused: "status.paused", herald.StatusCompleted: "status.completed",
	herald.StatusCanceled: "status.canceled", herald.StatusFailed: "status.failed",
}

// StatusName is a broadcast's status in words in loc's language: the one
// place statuses are named, for the conversation and the admin chats'
// notices alike.
func StatusName(loc *locales.Localizer, s herald.Status) string {
	if key, ok := statusKeys[s]; ok {
		return loc.T(key)
	}
	return string(s)
}

// RunStatusName is a run's status in loc's language, for progress cards,
// reports and the runs /show lists.
func RunStatusName(loc *locales.Localizer, s herald.RunStatus) string {
	switch s {
	case herald.RunSnapshotting, herald.RunSending:
		return loc.T("status.sending")
	case herald.RunPaused:
		return loc.T("status.paused")
	case herald.RunCompleted:
		return loc.T("status.completed")
	case herald.RunCanceled:
		return loc.T("status.canceled")
	case herald.RunFailed:
		return loc.T("status.failed")
	}
	return string(s)
}

// deliveryReasonKeys name Herald's own reasons for a failed or skipped delivery.
var deliveryReasonKeys = map[string]string{
	herald.ReasonBlocked: "reason.blocked", herald.ReasonOutsideWindow: "reason.outside_window",
	herald.ReasonOperatorChat: "reason.operator_chat", herald.ReasonUnsubscribed: "reason.unsubscribed",
	herald.ReasonExitTag:  "reason.exit_tag",
	herald.ReasonCanceled: "reason.canceled", herald.ReasonDuplicate: "reason.duplicate",
	herald.ReasonUncertain: "reason.uncertain",
}

// ReasonName says why a delivery failed or was skipped, in loc's
// language, for reports and /errors alike. Herald's own reason codes are
// named; anything else is a platform's error as the platform worded it
// (what a search or a support ticket needs), shown as recorded.
func ReasonName(loc *locales.Localizer, r string) string {
	if key, ok := deliveryReasonKeys[r]; ok {
		return loc.T(key)
	}
	if r == "" {
		return "—"
	}
	return r
}

// JoinList joins a list the way the admin's language writes one: "a, b"
// in English, "a、b" in Japanese and Chinese. Every list an admin reads
// goes through it, so no locale shows another's separator.
func JoinList(loc *locales.Localizer, items []string) string {
	return strings.Join(items, loc.T("list.separator"))
}

// joinList joins items in the admin's language (JoinList).
func (t *turn) joinList(items []string) string { return JoinList(t.loc, items) }

// joinClauses joins the parts of one statement ("every Friday at 17:00,
// 10 times in all"; "LINE …; Telegram …" with sep "text.semicolon") with
// the admin's language's punctuation: Japanese and Chinese write "、",
// "，" and "；", never the half-width ones.
func (t *turn) joinClauses(sep string, parts ...string) string {
	return strings.Join(parts, t.T(sep))
}

// sentences puts a sentence after another: a space between them in
// English, none after Japanese and Chinese full stops.
func (t *turn) sentences(first, then string) string {
	return t.T("text.sentences", "First", first, "Then", then)
}

// recipients is "1 recipient", "2,101 recipients" in the admin's language.
func (t *turn) recipients(n int) string {
	return t.N("recipients.count", n, "Count", FormatCount(n))
}
