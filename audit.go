package herald

import "time"

// AuditEntry records who did what, for /log and for operators. The log is
// append-only.
type AuditEntry struct {
	At     time.Time
	Actor  string // "slack:U123", "telegram:42", "api:token-name", "system"
	Action string // "broadcast.create", "broadcast.cancel", "access.denied", …
	Target string // usually a broadcast ID
	Detail string
}
