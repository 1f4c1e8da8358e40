package schedule

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// fuzzZones are the zones the scheduling parsers are fuzzed in: half and
// quarter hours, both sides of the date line, DST north and south (Lord
// Howe's is half an hour).
var fuzzZones = []string{"UTC", "Asia/Taipei", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York",
	"America/St_Johns", "Europe/London", "Australia/Lord_Howe", "Pacific/Kiritimati", "Pacific/Pago_Pago",
	"Pacific/Apia", "America/Santiago"}

func loadFuzzZones(f *testing.F) []*time.Location {
	var out []*time.Location
	for _, name := range fuzzZones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			f.Skip("no tz database:", err)
		}
		out = append(out, loc)
	}
	return out
}

// fuzzNow ranges over 2001–2099, minute by minute.
func fuzzNow(n int64) time.Time {
	return time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(uint64(n)%(99*366*24*60)) * time.Minute)
}

// An accepted wall-clock time is shown again as itself in its zone, or a
// little later when it falls in a spring-forward gap; read back, it is the
// same instant. It never happens before the user-local schedule first
// fires (the first place on Earth that reaches it).
func FuzzLocalInstant(f *testing.F) {
	for _, s := range []string{"2026-12-01 09:00", "2026-03-08 02:30", "2026-11-01 01:30", "2026-10-04 02:15",
		"2026-04-05 01:45", "0001-01-01 00:00", "9999-12-31 23:59", "2026-02-29 09:00"} {
		f.Add(s, uint8(4))
	}
	zones := loadFuzzZones(f)
	f.Fuzz(func(t *testing.T, wall string, zone uint8) {
		loc := zones[int(zone)%len(zones)]
		at, err := LocalInstant(wall, loc)
		if err != nil {
			return
		}
		w, _ := time.Parse(herald.LocalLayout, wall)
		shown := at.In(loc)
		d := time.Date(shown.Year(), shown.Month(), shown.Day(), shown.Hour(), shown.Minute(), 0, 0, time.UTC).Sub(w)
		if d < 0 || d > 2*time.Hour {
			t.Fatalf("LocalInstant(%q, %s) = %v, shown as %v", wall, loc, at, shown)
		}
		again, err := LocalInstant(shown.Format(herald.LocalLayout), loc)
		if err != nil || !again.Equal(at) {
			t.Fatalf("LocalInstant(%q, %s) = %v, shown as %v, read back as %v, %v", wall, loc, at, shown, again, err)
		}
		first, err := FirstFire(&herald.Schedule{Kind: herald.SendUserLocal, Local: wall}, at, loc)
		if err != nil || at.Before(first) {
			t.Fatalf("%q in %s happens at %v, before the schedule first fires (%v, %v)", wall, loc, at, first, err)
		}
	})
}

// A cron expression either fails to parse or its next occurrence, within
// its end and runs, lies after the time asked about.
func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"0 9 * * *", "CRON_TZ=Asia/Tokyo 30 8 * * 1-5", "@daily", "@every 1h", "0 0 31 2 *",
		"*/15 2 * * 0", "TZ=Australia/Lord_Howe 30 2 * * *", "0 30 9 * * *", "59 23 29 2 *", "CRON_TZ=Bad/Zone * * * * *"} {
		f.Add(s, uint8(3), int64(13_000_000), uint16(0))
	}
	zones := loadFuzzZones(f)
	f.Fuzz(func(t *testing.T, expr string, zone uint8, now int64, maxRuns uint16) {
		loc := zones[int(zone)%len(zones)]
		from := fuzzNow(now)
		sched, err := ParseCron(expr, loc)
		if err != nil {
			return
		}
		if next := sched.Next(from); !next.IsZero() && !next.After(from) {
			t.Fatalf("%q in %s: next after %v is %v", expr, loc, from, next)
		}
		s := herald.Schedule{Kind: herald.SendRecurring, Cron: expr, MaxRuns: int(maxRuns % 5), Until: from.AddDate(1, 0, 0)}
		next, ok, err := NextOccurrence(&s, from, 1, loc)
		if err != nil || (ok && (!next.After(from) || next.After(s.Until))) || (s.MaxRuns == 1 && ok) {
			t.Fatalf("NextOccurrence(%+v, %v) = %v, %v, %v", s, from, next, ok, err)
		}
		if _, err := FirstFire(&s, from, loc); err != nil {
			t.Fatalf("FirstFire(%+v) = %v", s, err)
		}
	})
}
