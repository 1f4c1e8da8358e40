package flows

import (
	"errors"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
)

// checkLocalLead explains why the wall-clock time of at, sent at each
// person's own time, is too soon for someone somewhere, or returns "".
// People for whom that time had already passed would otherwise get the
// message at a wrong hour or not at all.
func (t *turn) checkLocalLead(at time.Time) string {
	s := herald.Schedule{Kind: herald.SendUserLocal, Local: at.Format(herald.LocalLayout)}
	return t.timingLine(&s, t.checkTiming(s))
}

// checkLead explains why at is too soon, or returns "".
func (t *turn) checkLead(at time.Time) string {
	s := herald.Schedule{Kind: herald.SendAt, At: at}
	return t.timingLine(&s, t.checkTiming(s))
}

// checkTiming applies the scheduler's rules (schedule.Check) to s now.
func (t *turn) checkTiming(s herald.Schedule) *herald.ValidationError {
	var ve *herald.ValidationError
	if err := schedule.Check(&s, t.now, t.e.cfg.MinLeadTime, t.e.cfg.Location); errors.As(err, &ve) {
		return ve
	}
	return nil
}

// timingLine says in one line what is wrong with a schedule the
// scheduler's rules refused, or "" for any other mistake.
func (t *turn) timingLine(s *herald.Schedule, ve *herald.ValidationError) string {
	if ve == nil {
		return ""
	}
	// Field names share the "schedule" namespace with message keys.
	field, _ := strings.CutPrefix(ve.Field, "schedule")
	switch field {
	case ".at":
		if ve.Code == herald.CodeInPast {
			return t.T("err.when.past", "When", s.At.In(t.tz).Format(herald.LocalLayout), "Example", t.earliestClock())
		}
		return t.T("err.at.too_soon", "Minutes", t.minutes(t.e.cfg.MinLeadTime), "Earliest", t.earliestClock())
	case ".local":
		if ve.Code != herald.CodeTooSoon {
			return ""
		}
		when := s.Local
		if w, err := time.Parse(herald.LocalLayout, s.Local); err == nil {
			when = w.Format("15:04")
		}
		return t.T("err.local.too_soon", "When", when, "Earliest", schedule.EarliestLocal(t.now, t.e.cfg.MinLeadTime))
	case ".cron":
		return t.T("err.recurring.format")
	case ".until":
		return t.T("err.recurring.ended", "Example", t.exampleUntil())
	}
	return ""
}

// whenMessage words a date or time the reader refused, with an example
// computed from now so it never names a day that has passed.
func (t *turn) whenMessage(e *whenError) string {
	args := append([]any{"Example", t.exampleWhen()}, e.Args...)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i+1].(string); ok && args[i] == "Month" {
			args[i+1] = t.T(k)
		}
	}
	return t.T(e.Key, args...)
}

// exampleWhen is tomorrow at 09:00 in the admin's zone, as typed.
func (t *turn) exampleWhen() string {
	return t.now.In(t.tz).AddDate(0, 0, 1).Format("2006-01-02") + " 09:00"
}

// exampleUntil is an end date three months from now, for examples.
func (t *turn) exampleUntil() string {
	return t.now.In(t.tz).AddDate(0, 3, 0).Format("2006-01-02")
}

// earliestClock is the first whole minute a one-off may go out at: its
// clock ("09:05") when that is today in the admin's zone, else date and time.
func (t *turn) earliestClock() string {
	e := t.now.Add(t.e.cfg.MinLeadTime).Add(time.Minute - time.Nanosecond).Truncate(time.Minute).In(t.tz)
	if n := t.now.In(t.tz); e.YearDay() == n.YearDay() && e.Year() == n.Year() {
		return e.Format("15:04")
	}
	return e.Format(herald.LocalLayout)
}

// minutes is a whole number of minutes in words with its plural ("1 minute").
func (t *turn) minutes(d time.Duration) string {
	return t.N("duration.minutes", int(d.Minutes()))
}
