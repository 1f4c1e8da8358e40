package schedule

import (
	"time"

	"github.com/heraldbot/herald"
)

// StepTiming is herald.StepTiming by the bot's rules: a step's delay and
// time of day in the person's own zone (the bot's when unknown), moved
// out of quiet hours into their morning.
type StepTiming struct {
	Zones *Zones
	// Quiet is the bot's default quiet hours (nil: none); sequences have
	// no window of their own.
	Quiet *herald.QuietHours
}

// Due implements herald.StepTiming.
func (t StepTiming) Due(q *herald.Sequence, step int, sub *herald.Subscriber, from time.Time) time.Time {
	loc := t.Zones.Get(sub.Timezone)
	at := q.Steps[step].Earliest(from, loc)
	if t.Quiet != nil {
		at = QuietEnd(t.Quiet, at, loc)
	}
	return at.UTC()
}

// NotBefore implements herald.StepTiming: a step handed out late (the bot
// was down) still waits for the end of quiet hours.
func (t StepTiming) NotBefore(sub *herald.Subscriber, now time.Time) time.Time {
	if t.Quiet == nil {
		return time.Time{}
	}
	if at := QuietEnd(t.Quiet, now, t.Zones.Get(sub.Timezone)); !at.Equal(now) {
		return at
	}
	return time.Time{}
}
