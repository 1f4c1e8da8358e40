package herald

import (
	"strings"
	"time"
	"unicode/utf8"
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
	// Quiet is this broadcast's quiet hours: nil follows the bot's default
	// (config schedule.quiet_hours), Off sends at any hour, otherwise
	// recipients whose local time is inside Start–End are held until it
	// ends. Broadcasts stored before Off existed read as before.
	Quiet *QuietHours
	// Next is the next time the scheduler must act, kept by dispatch.
	Next time.Time
}

// QuietHours is a daily span of local time, e.g. 22:00–08:00, in which
// nobody is messaged. A span may cross midnight; Start == End is no span.
type QuietHours struct {
	Start string // "22:00"
	End   string // "08:00"
	// Off, as a broadcast's setting, turns the bot's default quiet hours
	// off for it (Start and End are then empty).
	Off bool
}

// ParseQuietHours reads a window as people type it — "22:00-07:30",
// "22:00–07:30", "22:00 ~ 7:30" — into HH:MM form. Start and end must
// differ.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "-–—~～〜")
	if i < 0 {
		return QuietHours{}, invalid("schedule.quiet", CodeInvalid, 0)
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	start, err1 := time.Parse("15:04", strings.TrimSpace(s[:i]))
	end, err2 := time.Parse("15:04", strings.TrimSpace(s[i+w:]))
	if err1 != nil || err2 != nil {
		return QuietHours{}, invalid("schedule.quiet", CodeInvalid, 0)
	}
	q := QuietHours{Start: start.Format("15:04"), End: end.Format("15:04")}
	if q.Start == q.End {
		return QuietHours{}, invalid("schedule.quiet", CodeEmptySpan, 0)
	}
	return q, nil
}

// String shows the window as "22:00–08:00", or "off".
func (q QuietHours) String() string {
	if q.Off {
		return "off"
	}
	return q.Start + "–" + q.End
}

// Validate checks a broadcast's setting: off, or two different times of
// day.
func (q *QuietHours) Validate() error {
	if q.Off {
		if q.Start != "" || q.End != "" {
			return invalid("schedule.quiet", CodeInvalid, 0)
		}
		return nil
	}
	s, ok1 := clockMinute(q.Start)
	e, ok2 := clockMinute(q.End)
	switch {
	case !ok1 || !ok2:
		return invalid("schedule.quiet", CodeInvalid, 0)
	case s == e:
		return invalid("schedule.quiet", CodeEmptySpan, 0)
	}
	return nil
}

// Contains reports whether the local clock time of t falls inside q.
func (q *QuietHours) Contains(t time.Time) bool {
	s, ok1 := clockMinute(q.Start)
	e, ok2 := clockMinute(q.End)
	if q.Off || !ok1 || !ok2 || s == e {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	if s < e {
		return m >= s && m < e
	}
	return m >= s || m < e // spans midnight
}

// clockMinute reads "HH:MM" as minutes after midnight.
func clockMinute(v string) (int, bool) {
	c, err := time.Parse("15:04", v)
	if err != nil {
		return 0, false
	}
	return c.Hour()*60 + c.Minute(), true
}

// QuietWindow is the span that holds this broadcast's recipients: its own
// window, none when it turned quiet hours off, else def, the bot's default
// (nil: none).
func (s *Schedule) QuietWindow(def *QuietHours) *QuietHours {
	q := s.Quiet
	if q == nil {
		q = def
	}
	if q == nil || q.Off {
		return nil
	}
	return q
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
		if err := s.Quiet.Validate(); err != nil {
			return err
		}
	}
	return nil
}
