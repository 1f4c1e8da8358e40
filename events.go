package herald

import "time"

// Event is something that happened which parts other than the one it
// happened in want to hear of: the admin chats tell people, the scheduler
// plans again, metrics count. The broadcasts service and the dispatcher
// publish events to one sink; see each type for who publishes it.
type Event interface {
	// EventName is a short name for logs ("broadcast.pause", "run.finished").
	EventName() string
}

// BroadcastChanged is published by the broadcasts service after a change
// is saved and audited: created, submitted, approved, rejected, paused,
// resumed, canceled, edited, undone, deleted, cloned or retried.
type BroadcastChanged struct {
	// Action is what was done: "submit" (sent for approval), "schedule",
	// "draft", "approve", "reject", "pause", "resume", "cancel", "edit",
	// "edit_canceled", "undo" (back to draft before it started), "delete",
	// "clone", "retry".
	Action string
	// Broadcast as saved after the change (as it was, for "delete").
	Broadcast Broadcast
	// From is the status before the change.
	From Status
	// Actor is "frontend:user", "api:<token>" or "system".
	Actor string
	// Where is the chat the actor acted in (empty for the API).
	Where Origin
	// Reason is why, for "reject" (may be empty).
	Reason string
	// Count is the audience counted when it was submitted or scheduled.
	Count Count
}

// EventName implements Event.
func (e BroadcastChanged) EventName() string { return "broadcast." + e.Action }

// RunProgress is published by the dispatcher as a run goes: counts so far.
type RunProgress struct{ Progress Progress }

// EventName implements Event.
func (RunProgress) EventName() string { return "run.progress" }

// RunFinished is published by the dispatcher when a run ends.
type RunFinished struct{ Report Report }

// EventName implements Event.
func (RunFinished) EventName() string { return "run.finished" }

// HeadsUp is published by the scheduler a configurable time before a
// broadcast goes out.
type HeadsUp struct {
	Broadcast Broadcast
	At        time.Time
}

// EventName implements Event.
func (HeadsUp) EventName() string { return "notice.heads_up" }

// Missed is published by the scheduler for a broadcast that came due while
// Herald was down, beyond the grace (a one-off is then paused).
type Missed struct {
	Broadcast Broadcast
	Late      time.Duration
}

// EventName implements Event.
func (Missed) EventName() string { return "notice.missed" }

// StartFailed is published by the scheduler for a broadcast whose moment
// came but whose run could not start (the error is in the server log and
// /log): nothing was sent. A one-off is then paused, so it neither goes
// out unnoticed later nor fails again at the next start; a recurring one
// skipped that occurrence (Schedule.Next is the one it skipped).
type StartFailed struct{ Broadcast Broadcast }

// EventName implements Event.
func (StartFailed) EventName() string { return "notice.start_failed" }
