package schedule

import (
	"time"

	"github.com/heraldbot/herald"
)

// ValidateCron checks a recurring schedule's expression with the parser
// that fires it: the chat, the one-liner and the API refuse what the
// scheduler could not read, instead of storing a broadcast that never goes.
func ValidateCron(expr string) error {
	_, err := ParseCron(expr, time.UTC)
	return err
}

// Check tells whether s may be scheduled at now, the same for every door:
// a one-off at least minLead ahead; a time at each person's own clock that
// comes minLead ahead even where clocks are first (UTC+14); a cron the
// scheduler reads; a recurrence with an occurrence left (its end date not
// passed). The error is a *herald.ValidationError naming the field.
// SendNow is not checked: its time is the undo delay from now.
func Check(s *herald.Schedule, now time.Time, minLead time.Duration, loc *time.Location) error {
	earliest := now.Add(minLead)
	minutes := int(minLead.Minutes())
	switch s.Kind {
	case herald.SendAt:
		if s.At.Before(now) {
			return &herald.ValidationError{Field: "schedule.at", Code: herald.CodeInPast}
		}
		if s.At.Before(earliest) {
			return &herald.ValidationError{Field: "schedule.at", Code: herald.CodeTooSoon, Limit: minutes}
		}
	case herald.SendUserLocal:
		first, err := FirstFire(s, now, loc)
		if err != nil {
			return &herald.ValidationError{Field: "schedule.local", Code: herald.CodeInvalid}
		}
		if first.Before(earliest) {
			return &herald.ValidationError{Field: "schedule.local", Code: herald.CodeTooSoon, Limit: minutes}
		}
	case herald.SendRecurring:
		if err := ValidateCron(s.Cron); err != nil {
			return &herald.ValidationError{Field: "schedule.cron", Code: herald.CodeInvalid}
		}
		if !s.Until.IsZero() && s.Until.Before(now) {
			return &herald.ValidationError{Field: "schedule.until", Code: herald.CodeInPast}
		}
		if _, ok, _ := NextOccurrence(s, now, 0, loc); !ok {
			// The end date comes before the next occurrence.
			return &herald.ValidationError{Field: "schedule.until", Code: herald.CodeInPast}
		}
	}
	return nil
}

// EarliestLocal is the first wall-clock time (herald.LocalLayout) a
// user-local schedule may have at now: the minute after now+minLead where
// clocks are first. The chat names it when it refuses an earlier one.
func EarliestLocal(now time.Time, minLead time.Duration) string {
	return now.Add(minLead).In(time.FixedZone("UTC+14", int(firstOffset/time.Second))).Add(time.Minute).Truncate(time.Minute).Format(herald.LocalLayout)
}
