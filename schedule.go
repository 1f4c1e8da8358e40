package herald

import (
	"strings"
	"time"
)

// ScheduleKind is when a broadcast goes out.
type ScheduleKind string

// Schedule kinds.
const (
	// SendNow goes out after the undo delay; At holds the moment it fires.
	SendNow ScheduleKind = "now"
	// SendAt goes out at At (stored in UTC).
	SendAt ScheduleKind = "at"
	// SendUserLocal goes out at the wall-clock time Local in each recipient's
	// own timezone (the bot's timezone when theirs is unknown).
	SendUserLocal ScheduleKind = "user_local"
	// SendRecurring goes out on Cron's occurrences; each is its own run.
	SendRecurring ScheduleKind = "recurring"
)

// LocalLayout is the wall-clock layout of Schedule.Local.
const LocalLayout = "2006-01-02 15:04"

// Schedule says when a broadcast is sent.
type Schedule struct {
	Kind ScheduleKind
	At   time.Time // SendNow and SendAt, in UTC
	// Local is a wall-clock time in LocalLayout, for SendUserLocal.
	Local string
	// Cron is a cron expression, optionally prefixed with CRON_TZ=Zone.
	Cron string
	// Until and MaxRuns end a recurring schedule (zero: never).
	Until   time.Time
	MaxRuns int
	// Quiet holds recipients whose local time is inside it until it ends.
	Quiet *QuietHours
	// Next is the next time the scheduler must act, kept by dispatch.
	Next time.Time
}

// QuietHours is a daily span of local time, e.g. 22:00–08:00, in which
// nobody is messaged.
type QuietHours struct {
	Start string // "22:00"
	End   string // "08:00"
}

// Contains reports whether the local clock time of t falls inside q.
func (q *QuietHours) Contains(t time.Time) bool {
	start, err1 := time.Parse("15:04", q.Start)
	end, err2 := time.Parse("15:04", q.End)
	if err1 != nil || err2 != nil || q.Start == q.End {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	s := start.Hour()*60 + start.Minute()
	e := end.Hour()*60 + end.Minute()
	if s < e {
		return m >= s && m < e
	}
	return m >= s || m < e // spans midnight
}

// Validate checks the schedule's shape; whether At is far enough ahead is
// a policy of flows (the lead time), checked there.
func (s *Schedule) Validate() error {
	switch s.Kind {
	case SendNow, SendAt:
		if s.At.IsZero() {
			return invalid("schedule.at", CodeRequired, 0)
		}
	case SendUserLocal:
		if _, err := time.Parse(LocalLayout, s.Local); err != nil {
			return invalid("schedule.local", CodeInvalid, 0)
		}
	case SendRecurring:
		if strings.TrimSpace(s.Cron) == "" {
			return invalid("schedule.cron", CodeRequired, 0)
		}
	default:
		return invalid("schedule.kind", CodeInvalid, 0)
	}
	if s.Quiet != nil {
		for _, v := range []string{s.Quiet.Start, s.Quiet.End} {
			if _, err := time.Parse("15:04", v); err != nil {
				return invalid("schedule.quiet", CodeInvalid, 0)
			}
		}
	}
	return nil
}
