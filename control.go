package herald

import "fmt"

// Control is what an admin (or an API client) does to a broadcast that
// is scheduled or sending: pause, resume or cancel. Its rules live in
// Apply, and whoever decides applies them inside one transaction over the
// broadcast and its last run.
type Control string

// Controls.
const (
	Pause  Control = "pause"
	Resume Control = "resume"
	Cancel Control = "cancel"
)

// Unfinished reports whether a run may still send: a control acts on it.
func (s RunStatus) Unfinished() bool {
	return s == RunSnapshotting || s == RunSending || s == RunPaused
}

// Apply changes b and its last run (nil: none) as c says. A run going
// (snapshotting, sending or paused) is paused, resumed or canceled with
// its broadcast; a snapshotting run reads the broadcast's status when its
// audience is written. Without one only the broadcast's status changes,
// and only what was paused resumes (a draft or a broadcast waiting for
// approval is scheduled by confirming or approving it). A control asked
// twice of a run is done already; of a broadcast without one it is
// ErrInvalidTransition.
func (c Control) Apply(b *Broadcast, run *Run) error {
	running := run != nil && run.Status.Unfinished()
	var to Status
	switch c {
	case Pause:
		to = StatusPaused
		if running && run.Status == RunSending {
			run.Status = RunPaused
		}
	case Resume:
		to = StatusScheduled
		if running {
			to = StatusSending
			if run.Status == RunPaused {
				run.Status, run.PauseReason = RunSending, ""
			}
		} else if b.Status != StatusPaused {
			return fmt.Errorf("%w: %s → %s", ErrInvalidTransition, b.Status, to)
		}
	case Cancel:
		to = StatusCanceled
		if running && run.Status != RunSnapshotting {
			run.Status = RunCanceled
		}
	default:
		return fmt.Errorf("herald: unknown control %q", c)
	}
	switch {
	case running && b.Status.Final():
		return nil // a retry of a finished broadcast: only its run changes
	case running && b.Status == to:
		return nil
	}
	if err := Transition(b.Status, to); err != nil {
		return err
	}
	b.Status = to
	return nil
}
