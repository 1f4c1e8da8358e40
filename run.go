package herald

import "time"

// RunStatus is where one run (one sending of a broadcast) is.
type RunStatus string

// Run statuses.
const (
	RunSnapshotting RunStatus = "snapshotting" // writing the recipient list
	RunSending      RunStatus = "sending"
	RunPaused       RunStatus = "paused"
	RunCompleted    RunStatus = "completed"
	RunCanceled     RunStatus = "canceled"
	RunFailed       RunStatus = "failed"
)

// Run is one sending of a broadcast to a snapshot of its audience. A
// one-off broadcast has one run; a recurring one has a run per occurrence;
// "retry failed" makes a run over only the failed recipients.
type Run struct {
	ID          string // "<broadcast ID>/<n>", e.g. "B-7K2Q/1"
	BroadcastID string
	N           int
	Status      RunStatus
	// RetryOf is the run whose failed recipients this run retries.
	RetryOf string
	Total   int
	Tally   map[Platform]Tally
	// AccountTally counts, by Account.String ("line:shop"), the recipients
	// of named accounts (each is also in Tally under its platform): a
	// platform's default account is what Tally has beyond its named ones
	// (see AccountTallies). Nil when the run reaches no named account.
	AccountTally map[string]Tally
	StartedAt    time.Time
	FinishedAt   time.Time
	// PauseReason explains an automatic pause (e.g. too many failures).
	PauseReason string
	// Control is the size of the holdout's control group when the
	// audience was snapshotted: people of the audience kept out, not sent.
	// Who they are is recomputable: the audience with Sample.Control().
	Control int
}

// AccountTallies breaks the run's tally down by account when it reached a
// named account (nil otherwise): each named account's, and each platform's
// default account's (the platform's tally less its named accounts'),
// leaving out a default account with nobody.
func (r *Run) AccountTallies() map[Account]Tally { return AccountTallies(r.Tally, r.AccountTally) }

// AccountTallies breaks tally (by platform) down by account with
// accountTally (named accounts' by "line:shop", as Run.AccountTally keeps
// them): nil when no named account is in it; else each named account's and
// each platform's default account's (the platform's less its named
// accounts'), leaving out a default account with nobody. Runs and the live
// progress share it.
func AccountTallies(tally map[Platform]Tally, accountTally map[string]Tally) map[Account]Tally {
	if len(accountTally) == 0 {
		return nil
	}
	out := map[Account]Tally{}
	rest := map[Platform]Tally{}
	for p, t := range tally {
		rest[p] = t
	}
	for k, t := range accountTally {
		acc, err := ParseAccount(k)
		if err != nil {
			continue
		}
		out[acc] = t
		rest[acc.Platform] = rest[acc.Platform].Add(Tally{-t.Pending, -t.Sent, -t.Failed, -t.Skipped, -t.Uncertain})
	}
	for p, t := range rest {
		if t != (Tally{}) {
			out[Account{Platform: p}] = t
		}
	}
	return out
}

// Tally counts a run's recipients by outcome.
type Tally struct {
	Pending int
	Sent    int
	Failed  int
	Skipped int
	// Uncertain counts recipients whose send had started when the process
	// died, with no outcome recorded: they may have the message already.
	// Each is also counted under its outcome (sent again, or skipped with
	// ReasonUncertain); see dispatch's OnUncertain.
	Uncertain int
}

// Add returns the sum of two tallies.
func (t Tally) Add(o Tally) Tally {
	return Tally{t.Pending + o.Pending, t.Sent + o.Sent, t.Failed + o.Failed, t.Skipped + o.Skipped, t.Uncertain + o.Uncertain}
}

// Done is how many recipients have a final outcome.
func (t Tally) Done() int { return t.Sent + t.Failed + t.Skipped }

// HasFailures reports whether there is anyone to list as failed: those
// who failed, and those a crash left uncertain (listed when skipped). The
// chat offers its ⚠️ Errors button only then.
func (t Tally) HasFailures() bool { return t.Failed > 0 || t.Uncertain > 0 }

// Outcome is what happened to one recipient.
type Outcome string

// Delivery outcomes.
const (
	Pending Outcome = "pending"
	Sent    Outcome = "sent"
	Failed  Outcome = "failed"
	Skipped Outcome = "skipped"
	// Held means waiting for the recipient's operator chat to close.
	Held Outcome = "held"
)

// Reasons for failed and skipped deliveries, grouped in reports.
const (
	ReasonBlocked       = "blocked"        // the recipient blocked the bot or is gone
	ReasonOutsideWindow = "outside_window" // Messenger marketing outside 24 h
	ReasonOperatorChat  = "operator_chat"  // held for an open operator chat
	ReasonUnsubscribed  = "unsubscribed"   // said stop after the snapshot
	ReasonCanceled      = "canceled"
	// ReasonDuplicate: the same chat is another recipient of the run (a
	// Telegram group Herald knew under its old and its new ID).
	ReasonDuplicate = "duplicate"
	// ReasonUncertain: a send to the recipient was in flight when the
	// process died and the run was told not to send twice (skip).
	ReasonUncertain = "uncertain"
	// ReasonExitTag: a sequence step's recipient got one of the
	// sequence's exit tags after the step was handed out.
	ReasonExitTag = "exit_tag"
)

// Delivery is one recipient of a run and what happened to them.
type Delivery struct {
	Seq       uint32 // the subscriber's Seq
	Recipient SubscriberKey
	Outcome   Outcome
	// Reason is one of the Reason constants, or the platform's own words.
	Reason    string
	MessageID string
	Attempts  int
	At        time.Time
	// NotBefore holds a pending delivery until the recipient's own local
	// send time (user-timezone schedules) or the end of their quiet hours.
	NotBefore time.Time
	// PartsDone counts the requests of a message that takes several (LINE
	// content of more than five messages) that reached the recipient before
	// it failed; a retry of the failed recipients sends only the rest.
	PartsDone int
}

// Change is one decision about a broadcast (a pause, a resume, a cancel):
// the broadcast as saved and the status it had before, so whoever tells
// others can stay quiet when nothing changed (a second pause).
type Change struct {
	Broadcast Broadcast
	From      Status
}

// Changed reports whether the decision changed the broadcast's status.
func (c Change) Changed() bool { return c.From != c.Broadcast.Status }
