// Package schedule decides when broadcasts go out: one-off, recurring (cron),
// at each recipient's own local time, with quiet hours, missed-run handling
// and retention. It keeps no state of its own: every time lives in the
// broadcast's Schedule in storage, and dispatch does the sending.
package schedule

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/heraldbot/herald"
)

// cronParser accepts five-field expressions (an optional leading seconds
// field), descriptors such as @daily, and a CRON_TZ= prefix.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron parses a recurring schedule's expression. Without CRON_TZ the
// expression is read in loc, the bot's timezone.
func ParseCron(expr string, loc *time.Location) (cron.Schedule, error) {
	// robfig/cron slices a zone prefix up to the first space and panics
	// when there is none ("TZ=", "CRON_TZ=UTC")
	if (strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=")) && !strings.Contains(expr, " ") {
		return nil, fmt.Errorf("schedule: cron %q: a zone and no fields", expr)
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("schedule: cron %q: %w", expr, err)
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok {
		// a field that matches nothing (",") parses, and Next then spins
		// forever looking for a match
		const star = 1 << 63
		for _, f := range []uint64{spec.Second, spec.Minute, spec.Hour, spec.Dom, spec.Month, spec.Dow} {
			if f&^star == 0 {
				return nil, fmt.Errorf("schedule: cron %q: a field matches nothing", expr)
			}
		}
		if spec.Location == time.Local {
			spec.Location = loc
		}
	}
	return sched, nil
}

// Earliest UTC offsets in use: a wall-clock time happens first at UTC+14
// (Kiribati) and last at UTC−12.
const (
	firstOffset = 14 * time.Hour
	lastOffset  = -12 * time.Hour
)

// FirstFire is when the scheduler acts on s: the send time of a one-off, the
// first instant the local time occurs anywhere on Earth for a user-local
// schedule (recipients then wait for their own zone), or the next cron
// occurrence after from.
func FirstFire(s *herald.Schedule, from time.Time, loc *time.Location) (time.Time, error) {
	switch s.Kind {
	case herald.SendNow, herald.SendAt:
		return s.At, nil
	case herald.SendUserLocal:
		wall, err := time.ParseInLocation(herald.LocalLayout, s.Local, time.UTC)
		if err != nil {
			return time.Time{}, fmt.Errorf("schedule: local time %q: %w", s.Local, err)
		}
		return wall.Add(-firstOffset), nil
	case herald.SendRecurring:
		next, ok, err := NextOccurrence(s, from, 0, loc)
		if err != nil || !ok {
			return time.Time{}, err
		}
		return next, nil
	}
	return time.Time{}, fmt.Errorf("schedule: unknown kind %q", s.Kind)
}

// NextOccurrence is the first cron occurrence strictly after t, or ok=false
// when the schedule has ended (Until passed, or runs reached MaxRuns).
func NextOccurrence(s *herald.Schedule, t time.Time, runs int, loc *time.Location) (next time.Time, ok bool, err error) {
	if s.MaxRuns > 0 && runs >= s.MaxRuns {
		return time.Time{}, false, nil
	}
	sched, err := ParseCron(s.Cron, loc)
	if err != nil {
		return time.Time{}, false, err
	}
	next = sched.Next(t.In(loc)).UTC()
	if next.IsZero() || (!s.Until.IsZero() && next.After(s.Until)) {
		return time.Time{}, false, nil
	}
	return next, true, nil
}

// LocalInstant is the instant a wall-clock time (herald.LocalLayout) happens
// in loc. A time that does not exist (the spring-forward gap) is moved
// forward by the gap, as clocks do; an ambiguous one (fall-back) is the
// first of the two.
func LocalInstant(wall string, loc *time.Location) (time.Time, error) {
	w, err := time.Parse(herald.LocalLayout, wall)
	if err != nil {
		return time.Time{}, fmt.Errorf("schedule: local time %q: %w", wall, err)
	}
	return wallInstant(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), loc), nil
}

// wallInstant is the instant the clock on the wall in loc shows the given
// day and minute, resolved as LocalInstant describes.
func wallInstant(year int, month time.Month, day, hour, minute int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, hour, minute, 0, 0, loc)
	// Go resolves a gap wall time with the offset after the gap, which lands
	// before the gap on the clock; move it forward by the difference instead.
	want := time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
	got := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if d := want.Sub(got); d > 0 {
		t = t.Add(d)
	}
	return t.UTC()
}

// Zones caches loaded timezones: a run resolves one per recipient and
// time.LoadLocation reads the zone database each time.
type Zones struct {
	fallback *time.Location
	cache    sync.Map // name → *time.Location
}

// NewZones returns a cache whose unknown or empty zones fall back to the
// bot's timezone.
func NewZones(fallback *time.Location) *Zones { return &Zones{fallback: fallback} }

// Get returns the location called name, or the fallback.
func (z *Zones) Get(name string) *time.Location {
	if name == "" {
		return z.fallback
	}
	if loc, ok := z.cache.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = z.fallback
	}
	z.cache.Store(name, loc)
	return loc
}

// DeliverAt is the earliest moment a recipient may get broadcast b: their
// own local send time for user-local schedules, moved out of quiet hours
// into the recipient's morning. The quiet hours are the broadcast's own
// setting (herald.Schedule.Quiet: a window, or off), else quiet, the bot's
// default (nil: none). The window is read in the recipient's timezone, or
// the bot's when theirs is unknown. A zero result means "as soon as
// possible".
func (z *Zones) DeliverAt(b *herald.Broadcast, sub *herald.Subscriber, quiet *herald.QuietHours, now time.Time) time.Time {
	loc := z.Get(sub.Timezone)
	var at time.Time
	if b.Schedule.Kind == herald.SendUserLocal {
		at, _ = LocalInstant(b.Schedule.Local, loc) // validated when scheduled
	}
	quiet = b.Schedule.QuietWindow(quiet)
	if quiet == nil {
		return at
	}
	if at.Before(now) {
		at = now
	}
	if held := QuietEnd(quiet, at, loc); !held.Equal(at) {
		return held
	}
	if at.Equal(now) {
		return time.Time{}
	}
	return at
}

// QuietEnd moves t to the end of quiet hours in loc when t falls inside
// them. An end that falls in a spring-forward gap is moved past the gap, so
// nobody is woken before the clock has passed it; an end that the clock
// shows twice (fall-back) is the first of the two still ahead.
func QuietEnd(q *herald.QuietHours, t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	if !q.Contains(local) {
		return t
	}
	end, err := time.Parse("15:04", q.End)
	if err != nil {
		return t
	}
	// Today's end, or tomorrow's; the third day only matters where a zone
	// skipped a whole day (Samoa, 2011).
	for day := range 3 {
		d := local.AddDate(0, 0, day)
		at := wallInstant(d.Year(), d.Month(), d.Day(), end.Hour(), end.Minute(), loc)
		if at.After(t) {
			return at
		}
		if again, ok := shownAgain(at, loc); ok && again.After(t) {
			return again
		}
	}
	return t
}

// shownAgain is the second instant the clock in loc shows at's wall time,
// when the clocks go back after at and show it again.
func shownAgain(at time.Time, loc *time.Location) (time.Time, bool) {
	local := at.In(loc)
	_, off := local.Zone()
	_, until := local.ZoneBounds()
	if until.IsZero() {
		return time.Time{}, false
	}
	_, offAfter := until.In(loc).Zone()
	if offAfter >= off {
		return time.Time{}, false
	}
	again := at.Add(time.Duration(off-offAfter) * time.Second)
	a := again.In(loc)
	if again.Before(until) || a.Hour() != local.Hour() || a.Minute() != local.Minute() {
		return time.Time{}, false
	}
	return again, true
}
