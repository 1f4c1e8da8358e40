package herald

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sequence is a drip: a named series of steps, each a message sent a delay
// after the one before (the first: after the trigger), to each person the
// trigger enrolled. Each step's message goes out as a run of a hidden
// broadcast of its own (Step.BroadcastID), so the dispatcher, its limits,
// quiet hours and per-recipient records deliver it as they deliver any
// broadcast.
type Sequence struct {
	ID      string // "Q-7K2Q"
	Name    string
	Trigger Trigger
	Steps   []Step
	// ExitTags take a person out of the sequence: whoever carries one is
	// not sent another step.
	ExitTags []string
	// Accounts, when set, are the only accounts whose people the sequence
	// takes in and sends to (a restricted admin's reach, like a broadcast's
	// Audience.Accounts); empty is every account, as before accounts.
	Accounts []Account
	// Paused sequences neither send nor enroll.
	Paused    bool
	CreatedAt time.Time
	UpdatedAt time.Time
	CreatedBy string
	UpdatedBy string
	// Counts are kept by storage in the transactions that move people.
	Counts SequenceCounts
}

// SequenceCounts says where the people of a sequence are.
type SequenceCounts struct {
	// Waiting[i] counts the people whose next message is step i (waiting
	// for its time, or in its run).
	Waiting  []int
	Enrolled int // ever
	Finished int // got the last step
	Left     int // unsubscribed, blocked or exit-tagged before the end
}

// WaitingAt is Waiting[i], 0 past the end.
func (c SequenceCounts) WaitingAt(i int) int {
	if i < len(c.Waiting) {
		return c.Waiting[i]
	}
	return 0
}

// Reaches reports whether the people of acc may be in q.
func (q *Sequence) Reaches(acc Account) bool {
	return len(q.Accounts) == 0 || slices.Contains(q.Accounts, acc)
}

// TriggerKind is what starts a sequence for a person.
type TriggerKind string

// Trigger kinds.
const (
	// TriggerFollow enrolls a new subscriber (of Trigger.Channel, or any).
	TriggerFollow TriggerKind = "follow"
	// TriggerTag enrolls a person when Trigger.Tag is added to them.
	TriggerTag TriggerKind = "tag"
	// TriggerTap enrolls a person who taps a button of Trigger.Broadcast
	// (Trigger.Button, or any of its buttons).
	TriggerTap TriggerKind = "tap"
	// TriggerEvent enrolls the subscriber of an API event named
	// Trigger.Event (POST /api/v1/events).
	TriggerEvent TriggerKind = "event"
)

// Trigger is what enrolls people in a sequence.
type Trigger struct {
	Kind    TriggerKind
	Channel Platform // TriggerFollow: only this channel (empty: any)
	// Account is TriggerFollow's account of Channel ("" any of them):
	// "shop" for LINE · Shop, as audiences name it (line:shop).
	Account   string
	Tag       string // TriggerTag
	Broadcast string // TriggerTap
	Button    string // TriggerTap (empty: any button)
	Event     string // TriggerEvent
}

// Step is one message of a sequence.
type Step struct {
	// Delay is the wait after the previous step was sent (after enrolling,
	// for the first step).
	Delay time.Duration
	// At, "HH:MM", sends at the first such time of the person's own day
	// once Delay has passed ("3 days after at 10:00 their time"); empty
	// sends as soon as Delay has passed.
	At      string
	Content Content
	// BroadcastID is the hidden broadcast whose runs carry this step.
	BroadcastID string
}

// StepOf marks a broadcast as a sequence's step: it has no schedule of its
// own and is not listed among broadcasts.
type StepOf struct {
	Sequence string
	Index    int
	// ExitTags are the sequence's: the dispatcher skips a recipient who
	// carries one when their message is due, so no step goes out after
	// an exit tag was added, even one handed out before.
	ExitTags []string
	// Pruned counts the sent and failed of the step's runs that retention
	// deleted: the step's totals outlive their per-recipient records.
	Pruned Tally
}

// Sequence limits.
const (
	MaxSequenceSteps = 20
	MaxStepDelay     = 365 * 24 * time.Hour
	MaxEventNameLen  = 48
)

// Validate checks a sequence before it is saved.
func (q *Sequence) Validate() error {
	if err := validateName(q.Name); err != nil {
		return err
	}
	if err := q.Trigger.Validate(); err != nil {
		return err
	}
	if !q.TriggerWithinAccounts() {
		return invalid("trigger.channel", CodeInvalid, 0) // it would enroll nobody
	}
	switch {
	case len(q.Steps) == 0:
		return invalid("steps", CodeRequired, 0)
	case len(q.Steps) > MaxSequenceSteps:
		return invalid("steps", CodeTooMany, MaxSequenceSteps)
	}
	for i := range q.Steps {
		if err := q.Steps[i].Validate(); err != nil {
			var e *ValidationError
			if errors.As(err, &e) {
				e.Field = "steps." + strconv.Itoa(i) + "." + e.Field
			}
			return err
		}
	}
	for _, t := range q.ExitTags {
		if strings.TrimSpace(t) == "" {
			return invalid("exit_tags", CodeInvalid, 0)
		}
	}
	return nil
}

// TriggerWithinAccounts reports whether a follow trigger's channel (and
// account) is one the sequence reaches.
func (q *Sequence) TriggerWithinAccounts() bool {
	tr := q.Trigger
	if len(q.Accounts) == 0 || tr.Kind != TriggerFollow || tr.Channel == "" {
		return true
	}
	return slices.ContainsFunc(q.Accounts, func(a Account) bool {
		return a.Platform == tr.Channel && (tr.Account == "" || a.Name == tr.Account)
	})
}

// Validate checks one trigger.
func (t *Trigger) Validate() error {
	switch t.Kind {
	case TriggerFollow:
		if t.Channel != "" && !t.Channel.Valid() {
			return invalid("trigger.channel", CodeInvalid, 0)
		}
		if t.Account != "" && t.Channel == "" {
			return invalid("trigger.account", CodeInvalid, 0)
		}
	case TriggerTag:
		if strings.TrimSpace(t.Tag) == "" {
			return invalid("trigger.tag", CodeRequired, 0)
		}
	case TriggerTap:
		if strings.TrimSpace(t.Broadcast) == "" {
			return invalid("trigger.broadcast", CodeRequired, 0)
		}
	case TriggerEvent:
		switch {
		case strings.TrimSpace(t.Event) == "":
			return invalid("trigger.event", CodeRequired, 0)
		case !ValidEventName(t.Event):
			return invalid("trigger.event", CodeInvalid, 0)
		}
	case "":
		return invalid("trigger.kind", CodeRequired, 0)
	default:
		return invalid("trigger.kind", CodeInvalid, 0)
	}
	return nil
}

// Validate checks one step.
func (s *Step) Validate() error {
	if s.Delay < 0 || s.Delay > MaxStepDelay {
		return invalid("delay", CodeInvalid, 0)
	}
	if s.At != "" {
		if _, err := time.Parse("15:04", s.At); err != nil {
			return invalid("at", CodeInvalid, 0)
		}
	}
	if err := s.Content.Validate(); err != nil {
		return err
	}
	return nil
}

// Earliest is when the step may go to a person whose previous step (or
// enrollment) was at from, in their zone loc: from+Delay, moved to the
// first At of their day from then on. Quiet hours are the caller's.
func (s *Step) Earliest(from time.Time, loc *time.Location) time.Time {
	t := from.Add(s.Delay)
	if s.At == "" {
		return t
	}
	at, err := time.Parse("15:04", s.At)
	if err != nil {
		return t
	}
	local := t.In(loc)
	for day := range 3 {
		d := local.AddDate(0, 0, day)
		c := time.Date(d.Year(), d.Month(), d.Day(), at.Hour(), at.Minute(), 0, 0, loc)
		if !c.Before(t) {
			return c.UTC()
		}
	}
	return t
}

// Matches reports whether a trigger of kind k with detail (channel, tag,
// broadcast+"\x00"+button or event name) starts the sequence.
func (t *Trigger) Matches(k TriggerKind, detail string) bool {
	if t.Kind != k {
		return false
	}
	switch k {
	case TriggerFollow:
		platform, account, named := strings.Cut(detail, "@")
		return t.Channel == "" || (string(t.Channel) == platform && (t.Account == "" || named && t.Account == account))
	case TriggerTag:
		return t.Tag == detail
	case TriggerTap:
		bid, button, _ := strings.Cut(detail, "\x00")
		return t.Broadcast == bid && (t.Button == "" || t.Button == button)
	case TriggerEvent:
		return t.Event == detail
	}
	return false
}

// FollowDetail is the detail of a new subscriber's follow trigger:
// "line", or "line@shop" for a named account's follower.
func FollowDetail(k SubscriberKey) string {
	if k.Account == "" {
		return string(k.Platform)
	}
	return string(k.Platform) + "@" + k.Account
}

// ValidEventName reports whether name is an event's name as integrations
// send it: 1–48 lower-case letters, digits, '_', '.' or '-'.
func ValidEventName(name string) bool {
	if name == "" || len(name) > MaxEventNameLen {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

// NewSequenceID returns a fresh ID such as "Q-7K2Q".
func NewSequenceID() string { return "Q-" + strings.TrimPrefix(NewBroadcastID(4), "B-") }

// SequenceFrontend is the Origin.Frontend of step broadcasts: no admin
// chat is theirs, so their runs are reported in /sequences, not posted.
const SequenceFrontend = "sequence"

// StepTiming is when a person's next step may go: their zone, the step's
// time of day and quiet hours are schedule's rules; storage asks while it
// moves people, in the same transaction.
type StepTiming interface {
	// Due is when step of q may go to sub, whose previous step (or
	// enrollment) was at from.
	Due(q *Sequence, step int, sub *Subscriber, from time.Time) time.Time
	// NotBefore holds a step handed out at now until sub's quiet hours
	// end (zero: send now).
	NotBefore(sub *Subscriber, now time.Time) time.Time
}

// StepStats is one step's figures for /sequences and the API.
type StepStats struct {
	Step    int // 1-based
	Waiting int // whose next message this is
	Sent    int
	Failed  int
	// Tapped counts the people who tapped a button or clicked a tracked
	// link of the step (per button, summed).
	Tapped int
	// Stalled says the step's run paused itself after too many failures:
	// resuming the sequence resumes it.
	Stalled bool
}
