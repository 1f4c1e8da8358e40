package adminchat

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// Missed implements the scheduler's missed-run prompt: b came due late
// ago while Herald was not running, beyond the grace, and nothing was
// sent. A one-off waits, paused, for someone in its origin chat to press
// Send now, Reschedule or Cancel; a recurring broadcast has already
// skipped that occurrence, and its chat hears so (with a way to hold the
// next ones), so a missing report is never a mystery.
func (r *Reporter) Missed(ctx context.Context, b herald.Broadcast, late time.Duration) {
	loc, zone := r.readerOf(b.Origin)
	r.notify(ctx, b.ID, b.Origin, passedReply(loc, &b, "missed.held", "missed.skipped", "When", dueWhen(loc, &b, zone, r.opts.Now()), "Late", missedBy(loc, late)))
}

// StartFailed tells b's origin chat, in its creator's language, that b
// came due but its run could not start (herald.StartFailed): nothing was
// sent, the cause is in the server log, and the same choices as a missed
// broadcast follow.
func (r *Reporter) StartFailed(ctx context.Context, b herald.Broadcast) {
	loc, zone := r.readerOf(b.Origin)
	r.notify(ctx, b.ID, b.Origin, passedReply(loc, &b, "start_failed.held", "start_failed.skipped", "When", dueWhen(loc, &b, zone, r.opts.Now())))
}

// passedReply is the prompt for a broadcast whose moment passed without
// sending, in the words of held (a paused one-off) or skipped (a
// recurring one's occurrence); pairs are their placeholders besides Name
// and ID. Its buttons are flows commands, so a press in a Telegram
// group, a Slack thread or at the console is checked and audited like a
// typed one: /resume starts a held one-off whose time has passed at once,
// and "/edit ID timing" opens the edit at its timing step.
func passedReply(loc *locales.Localizer, b *herald.Broadcast, held, skipped string, pairs ...any) flows.Reply {
	pairs = append([]any{"Name", b.Name, "ID", b.ID}, pairs...)
	if b.Schedule.Kind == herald.SendRecurring {
		return flows.Reply{Text: loc.T(skipped, pairs...),
			Choices: []flows.Choice{{ID: "/show " + b.ID, Label: loc.T("btn.show")}, {ID: "/pause " + b.ID, Label: loc.T("btn.pause")}}}
	}
	return flows.Reply{Text: loc.T(held, pairs...),
		Choices: []flows.Choice{
			{ID: "/resume " + b.ID, Label: loc.T("btn.send_now")},
			{ID: "/edit " + b.ID + " timing", Label: loc.T("btn.reschedule")},
			{ID: "/cancel " + b.ID, Label: loc.T("btn.cancel_broadcast")},
		}}
}

// readerOf is the language and timezone of the admin who made a broadcast
// at o (their /lang and /tz), else the catalog's default and the bot's.
func (r *Reporter) readerOf(o herald.Origin) (*locales.Localizer, *time.Location) {
	zone := r.opts.Location
	if r.opts.Admins != nil {
		if a, err := r.opts.Admins.Admin(o.Frontend + ":" + o.UserID); err == nil && a.Timezone != "" {
			if z, err := time.LoadLocation(a.Timezone); err == nil {
				zone = z
			}
		}
	}
	return r.opts.Catalog.Localizer(r.lang(o)), zone
}

// dueWhen is the moment b was meant to go out, as its creator reads time:
// "today at 09:00 (Asia/Taipei)", "yesterday at 09:00 (…)", "on
// 2026-11-20 at 09:00 (…)"; a broadcast at each person's own time shows
// that wall time.
func dueWhen(loc *locales.Localizer, b *herald.Broadcast, zone *time.Location, now time.Time) string {
	var at time.Time
	switch b.Schedule.Kind {
	case herald.SendUserLocal:
		return loc.T("schedule.user_short", "When", b.Schedule.Local)
	case herald.SendRecurring:
		at = b.Schedule.Next // the occurrence that was missed
	default:
		at = b.Schedule.At
	}
	return dayClock(loc, at, zone, now)
}

// dayClock is at as its reader says it, relative to now in their zone:
// "today at 09:00 (Asia/Taipei)", "tomorrow at …", "yesterday at …", else
// "on 2026-11-20 at 09:00 (…)".
func dayClock(loc *locales.Localizer, at time.Time, zone *time.Location, now time.Time) string {
	if at.IsZero() {
		return "—"
	}
	lt, ln := at.In(zone), now.In(zone)
	clock := lt.Format("15:04")
	zoned := func(day string) string { return loc.T("time.zoned", "Time", day, "Zone", zone.String()) }
	switch lt.Format(time.DateOnly) {
	case ln.Format(time.DateOnly):
		return zoned(loc.T("day.today", "Time", clock))
	case ln.AddDate(0, 0, 1).Format(time.DateOnly):
		return zoned(loc.T("day.tomorrow", "Time", clock))
	case ln.AddDate(0, 0, -1).Format(time.DateOnly):
		return zoned(loc.T("day.yesterday", "Time", clock))
	}
	return zoned(loc.T("day.on", "Date", lt.Format(time.DateOnly), "Time", clock))
}

// missedBy is how late a broadcast is, in the one unit people would say:
// "less than a minute" under a minute, "45 min" under an hour, "3 h" under two days, then "2 days".
func missedBy(loc *locales.Localizer, late time.Duration) string {
	i := func(n float64) string { return strconv.FormatFloat(n, 'f', 0, 64) }
	if late < time.Minute {
		return loc.T("duration.under_minute")
	}
	if m := math.Max(1, math.Round(late.Minutes())); m < 60 {
		return loc.T("duration.m", "M", i(m))
	}
	if h := math.Round(late.Hours()); h < 48 {
		return loc.T("duration.h", "H", i(h))
	}
	return loc.N("duration.days", int(math.Round(late.Hours()/24)))
}
