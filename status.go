package herald

import "fmt"

// Status is where a broadcast is in its life.
type Status string

// Broadcast statuses.
const (
	StatusDraft     Status = "draft"
	StatusPending   Status = "pending_approval" // waits for a second admin
	StatusScheduled Status = "scheduled"
	StatusSending   Status = "sending"
	StatusPaused    Status = "paused"
	StatusCompleted Status = "completed"
	StatusCanceled  Status = "canceled"
	StatusFailed    Status = "failed"
)

// Statuses lists every status in the order admins see them.
var Statuses = []Status{StatusDraft, StatusPending, StatusScheduled, StatusSending,
	StatusPaused, StatusCompleted, StatusCanceled, StatusFailed}

// transitions is the whole life cycle. A recurring broadcast goes from
// sending back to scheduled after each occurrence; edit sends a broadcast
// that has not started back to draft.
var transitions = map[Status][]Status{
	StatusDraft:     {StatusPending, StatusScheduled, StatusCanceled},
	StatusPending:   {StatusScheduled, StatusDraft, StatusCanceled},
	StatusScheduled: {StatusSending, StatusPaused, StatusDraft, StatusCanceled, StatusCompleted},
	StatusSending:   {StatusPaused, StatusCompleted, StatusCanceled, StatusFailed, StatusScheduled},
	StatusPaused:    {StatusSending, StatusScheduled, StatusCanceled, StatusDraft},
}

// CanTransition reports whether a broadcast may go from one status to another.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Transition checks a status change and returns ErrInvalidTransition, with
// both statuses named, when it is not allowed.
func Transition(from, to Status) error {
	if CanTransition(from, to) {
		return nil
	}
	return fmt.Errorf("%w: %s → %s", ErrInvalidTransition, from, to)
}

// Final reports whether nothing more will happen to a broadcast.
func (s Status) Final() bool {
	return s == StatusCompleted || s == StatusCanceled || s == StatusFailed
}

// Unfinished reports whether the broadcast may still send something; names
// must be unique among unfinished broadcasts.
func (s Status) Unfinished() bool { return !s.Final() }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok || s.Final()
}
