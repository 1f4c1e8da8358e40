package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/schedule"
)

// fuzzZones are the timezones the timing parsers are fuzzed in: whole,
// half and quarter hours, both sides of the date line, DST north and
// south (Lord Howe's is half an hour), and zones with no DST.
var fuzzZones = []string{"UTC", "Asia/Taipei", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu",
	"America/New_York", "America/St_Johns", "Europe/London", "Europe/Berlin", "Australia/Lord_Howe",
	"Pacific/Kiritimati", "Pacific/Pago_Pago", "Pacific/Apia", "America/Santiago"}

// fuzzLangs are the admin languages the describe path is fuzzed in.
var fuzzLangs = []string{"en", "ja", "zh-CN", "zh-TW"}

// fuzzTurns makes the least of a turn the timing steps need (a clock, a
// zone and a language), loading the catalog and the zones once.
func fuzzTurns(f *testing.F) func(zone, lang uint8, now int64) *turn {
	cat, err := locales.New("en")
	if err != nil {
		f.Fatal(err)
	}
	var tzs []*time.Location
	for _, name := range fuzzZones {
		tz, err := time.LoadLocation(name)
		if err != nil {
			f.Skip("no tz database:", err)
		}
		tzs = append(tzs, tz)
	}
	e := &Engine{cfg: Config{MinLeadTime: 5 * time.Minute, UndoDelay: 10 * time.Second}}
	return func(zone, lang uint8, now int64) *turn {
		// the clock ranges over 2001–2099, minute by minute
		at := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(uint64(now)%(99*366*24*60)) * time.Minute)
		return &turn{e: e, now: at, tz: tzs[int(zone)%len(tzs)], loc: cat.Localizer(fuzzLangs[int(lang)%len(fuzzLangs)])}
	}
}

// An accepted one-off time round-trips through the wall clock it is shown
// as, and a bare clock ("18:00") always lies ahead.
func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"2026-12-01 09:00", "today 18:00", "tomorrow 9:00", "18:00", "  TOMORROW   23:59 ",
		"2026-03-08 02:30", "2026-11-01 01:30", "0:00", "24:00", "2026-02-30 09:00", "tomorrow", "today  "} {
		f.Add(s, uint8(5), uint8(0), int64(13_000_000))
	}
	newTurn := fuzzTurns(f)
	f.Fuzz(func(t *testing.T, s string, zone, lang uint8, now int64) {
		tr := newTurn(zone, lang, now)
		at, ok := parseWhen(s, tr.now, tr.tz)
		if !ok {
			return
		}
		shown := at.In(tr.tz).Format(herald.LocalLayout)
		again, ok := parseWhen(shown, tr.now, tr.tz)
		if !ok || !again.Equal(at) {
			t.Fatalf("parseWhen(%q) = %v, shown as %q, read back as %v, %v", s, at, shown, again, ok)
		}
		if bare := strings.Join(strings.Fields(s), " "); !strings.ContainsAny(bare, " -") && !at.After(tr.now) {
			t.Fatalf("parseWhen(%q) at %v = %v: a bare clock time must lie ahead", s, tr.now, at)
		}
		if w := tr.when(at); !strings.Contains(w, shown) {
			t.Fatalf("when(%v) = %q, want it to show %q", at, w, shown)
		}
		_ = tr.checkLead(at)
		_ = tr.checkLocalLead(at)
	})
}

// An accepted recurring rhythm yields a cron spec that reads back the
// same, is described in every language, and whose next occurrences lie
// ahead and within its end.
func FuzzRecurring(f *testing.F) {
	for _, s := range []string{"daily 09:00", "every day 9:00", "weekdays 18:30", "monday 09:00", "weekly fri 17:00",
		"0 9 * * 1-5", "CRON_TZ=Asia/Tokyo 30 8 1 * *", "TZ=Europe/London daily 02:30 until 2027-03-28",
		"weekdays 18:30 10 times", "daily 09:00 1 time", "@daily", "*/5 * * * *", "0 0 31 2 *"} {
		f.Add(s, uint8(5), uint8(1), int64(13_000_000))
	}
	newTurn := fuzzTurns(f)
	f.Fuzz(func(t *testing.T, s string, zone, lang uint8, now int64) {
		tr := newTurn(zone, lang, now)
		tz, rhythm, err := cutCronZone(s, tr.tz)
		if err != nil {
			return
		}
		var sch herald.Schedule
		rhythm, end, ok := cutRecurringEnd(rhythm)
		if ok {
			if sch.Until, sch.MaxRuns, ok = parseRecurringEnd(end, tr.tz); !ok {
				return
			}
		}
		expr, ok := recurringCron(rhythm)
		if !ok {
			return
		}
		if again, ok := recurringCron(expr); !ok || again != expr {
			t.Fatalf("recurringCron(%q) = %q, which reads back as %q, %v", rhythm, expr, again, ok)
		}
		sch.Kind, sch.Cron = herald.SendRecurring, "CRON_TZ="+tz.String()+" "+expr
		c, err := schedule.ParseCron(sch.Cron, time.UTC)
		if err != nil {
			return // handleRecurring refuses it
		}
		if next := c.Next(tr.now); !next.IsZero() && !next.After(tr.now) {
			t.Fatalf("%q: next after %v is %v", sch.Cron, tr.now, next)
		}
		if d := tr.describeSchedule(&sch); d == "" || strings.Contains(d, "{{") {
			t.Fatalf("describeSchedule(%+v) = %q", sch, d)
		}
	})
}
