package flows

import (
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

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

// JoinList joins a list the way the admin's language writes one: "a, b"
// in English, "a、b" in Japanese and Chinese. Every list an admin reads
// goes through it, so no locale shows another's separator.
func JoinList(loc *locales.Localizer, items []string) string {
	return strings.Join(items, loc.T("list.separator"))
}

// joinList joins items in the admin's language (JoinList).
func (t *turn) joinList(items []string) string { return JoinList(t.loc, items) }
