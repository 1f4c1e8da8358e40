package adminchat

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Conversations is what an admin frontend (Telegram's admin group, Slack)
// hands every message, command and button press to: the conversation
// engine (*flows.Engine).
type Conversations interface {
	Handle(ctx context.Context, in flows.Input) ([]flows.Reply, error)
}

// Auditor is where an admin frontend records the people it refused (not
// an admin, a press on someone else's card) in the audit log
// (*storage.Store).
type Auditor interface {
	Audit(e herald.AuditEntry) error
}
