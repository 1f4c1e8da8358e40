package flows

import (
	"context"
	"errors"
	"io"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// Drafts is what the wizard asks of the broadcasts service: save what an
// admin made, take a broadcast back to edit it, copy one.
type Drafts interface {
	Submit(ctx context.Context, d herald.Broadcast, editID string, who broadcasts.Actor) (herald.Broadcast, herald.Count, error)
	SaveDraft(ctx context.Context, d herald.Broadcast, editID string, who broadcasts.Actor) (herald.Broadcast, error)
	Edit(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	CancelEdit(ctx context.Context, id string, was herald.Status, who broadcasts.Actor) (herald.Broadcast, error)
	Clone(ctx context.Context, id string, name func(base string, n int) string, origin herald.Origin, who broadcasts.Actor) (herald.Broadcast, error)
	NameTaken(name, self string) (string, error)
}

// Decisions is what the management commands ask of the broadcasts
// service: approve, reject, pause, resume, cancel, undo, delete, retry.
type Decisions interface {
	Approve(ctx context.Context, id string, who broadcasts.Actor) (herald.Broadcast, error)
	Reject(ctx context.Context, id, reason string, who broadcasts.Actor) (herald.Broadcast, string, error)
	Pause(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	Resume(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	Cancel(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	Undo(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	Delete(ctx context.Context, id string, who broadcasts.Actor) (herald.Broadcast, error)
	RetryFailed(ctx context.Context, id string, who broadcasts.Actor) (herald.Run, int, error)
	PickVariant(ctx context.Context, id string, variant int, who broadcasts.Actor) (herald.Broadcast, error)
}

// Failures reads who a broadcast's runs failed: /errors and its retry.
type Failures interface {
	Retryable(id string) (int, error)
	WriteFailures(w io.Writer, id string, begin func()) (herald.ReasonCounter, int, error)
	// TestResults is how an A/B test's variants did so far (/show).
	TestResults(p *herald.Broadcast) ([]herald.VariantResult, error)
}

// Service is the broadcasts service as flows uses it
// (*broadcasts.Service).
type Service interface {
	Drafts
	Decisions
	Failures
}

// who is this turn's admin as the service names them.
func (t *turn) who() broadcasts.Actor {
	return broadcasts.Actor{Key: t.actor, Where: herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName}}
}

// isInvalid reports a decision the broadcast's status does not allow.
func isInvalid(err error) bool {
	return errors.Is(err, herald.ErrInvalidTransition) || errors.Is(err, broadcasts.ErrStarted)
}

// Managing is what the management commands may do to broadcasts: decide
// and read who failed. Nothing else of the service (or the engine's
// configuration) is theirs to change.
type Managing interface {
	Decisions
	Failures
}

// manager answers the management commands (/show, /pause, /resume,
// /cancel, /undo, /delete, /approve, /reject, /errors, /retry, /log). It changes
// broadcasts only through svc; the turn gives it the admin's words and
// collects its replies.
type manager struct {
	t      *turn
	svc    Managing
	reads  managerReads
	access Access
}

// managerReads is what the management commands read: a broadcast, its
// runs, its story and the names of who acted.
type managerReads interface {
	Broadcast(id string) (herald.Broadcast, error)
	RunsOf(broadcastID string) ([]herald.Run, error)
	AuditLog(target string, limit int) ([]herald.AuditEntry, error)
	Admin(key string) (herald.Admin, error)
}
