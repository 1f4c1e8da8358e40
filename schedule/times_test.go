package schedule

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNextOccurrenceFollowsZonesAndDST(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name string
		cron string
		loc  *time.Location
		from string
		want string
	}{
		{"bot timezone before DST", "0 9 * * *", ny, "2026-03-07T15:00:00Z", "2026-03-08T13:00:00Z"},
		{"bot timezone on spring-forward day", "0 9 * * *", ny, "2026-03-07T14:30:00Z", "2026-03-08T13:00:00Z"},
		{"day before spring-forward", "0 9 * * *", ny, "2026-03-06T15:00:00Z", "2026-03-07T14:00:00Z"},
		{"fall back", "0 9 * * *", ny, "2026-10-31T14:00:00Z", "2026-11-01T14:00:00Z"},
		{"CRON_TZ overrides the bot zone", "CRON_TZ=Asia/Taipei 0 9 * * *", ny, "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z"},
		{"weekly on Monday", "30 8 * * MON", time.UTC, "2026-11-23T09:00:00Z", "2026-11-30T08:30:00Z"},
		{"wall time in the DST gap skips that day", "30 2 * * *", ny, "2026-03-07T08:00:00Z", "2026-03-09T06:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := herald.Schedule{Kind: herald.SendRecurring, Cron: tt.cron}
			got, ok, err := NextOccurrence(&s, utc(tt.from), 0, tt.loc)
			if err != nil || !ok {
				t.Fatalf("NextOccurrence: ok=%v err=%v", ok, err)
			}
			if want := utc(tt.want); !got.Equal(want) {
				t.Errorf("next = %s, want %s", got, want)
			}
		})
	}
}

func TestNextOccurrenceEnds(t *testing.T) {
	s := herald.Schedule{Kind: herald.SendRecurring, Cron: "@daily", MaxRuns: 3}
	if _, ok, _ := NextOccurrence(&s, utc("2026-01-01T00:00:00Z"), 3, time.UTC); ok {
		t.Error("a schedule that ran MaxRuns times must end")
	}
	s = herald.Schedule{Kind: herald.SendRecurring, Cron: "@daily", Until: utc("2026-01-02T12:00:00Z")}
	if _, ok, _ := NextOccurrence(&s, utc("2026-01-02T01:00:00Z"), 1, time.UTC); ok {
		t.Error("an occurrence after Until must not be offered")
	}
	if _, _, err := NextOccurrence(&herald.Schedule{Cron: "CRON_TZ=Mars/Base 0 9 * * *"}, time.Now(), 0, time.UTC); err == nil {
		t.Error("a bad zone must fail at parse")
	}
}

func TestLocalInstantAcrossDST(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct{ wall, want string }{
		{"2026-03-08 09:00", "2026-03-08T13:00:00Z"}, // EDT
		{"2026-03-07 09:00", "2026-03-07T14:00:00Z"}, // EST
		{"2026-03-08 02:30", "2026-03-08T07:30:00Z"}, // gap: 03:30 EDT
		{"2026-11-01 01:30", "2026-11-01T05:30:00Z"}, // ambiguous: the first one (EDT)
	}
	for _, tt := range tests {
		got, err := LocalInstant(tt.wall, ny)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(utc(tt.want)) {
			t.Errorf("LocalInstant(%s) = %s, want %s", tt.wall, got, tt.want)
		}
	}
}

func TestDeliverAtEachRecipientsOwnNineOClock(t *testing.T) {
	taipei := mustZone(t, "Asia/Taipei")
	zones := NewZones(taipei)
	b := herald.Broadcast{Schedule: herald.Schedule{Kind: herald.SendUserLocal, Local: "2026-12-01 09:00"}}
	first, _ := FirstFire(&b.Schedule, time.Time{}, taipei)
	now := first
	tests := []struct{ zone, want string }{
		{"Pacific/Kiritimati", "2026-11-30T19:00:00Z"}, // UTC+14, the first
		{"Asia/Tokyo", "2026-12-01T00:00:00Z"},
		{"Europe/London", "2026-12-01T09:00:00Z"},
		{"America/New_York", "2026-12-01T14:00:00Z"},
		{"Pacific/Pago_Pago", "2026-12-01T20:00:00Z"}, // UTC−11
		{"", "2026-12-01T01:00:00Z"},                  // unknown: the bot's zone
		{"Not/AZone", "2026-12-01T01:00:00Z"},
	}
	for _, tt := range tests {
		sub := herald.Subscriber{Timezone: tt.zone}
		got := zones.DeliverAt(&b, &sub, nil, now)
		if !got.Equal(utc(tt.want)) {
			t.Errorf("%q: deliver at %s, want %s", tt.zone, got, tt.want)
		}
		local := got.In(zones.Get(tt.zone))
		if local.Hour() != 9 || local.Minute() != 0 {
			t.Errorf("%q: local time %s, want 09:00", tt.zone, local)
		}
		if got.Before(first) {
			t.Errorf("%q: %s is before the first fire %s", tt.zone, got, first)
		}
	}
}

func TestDeliverAtHoldsQuietHours(t *testing.T) {
	zones := NewZones(time.UTC)
	quiet := &herald.QuietHours{Start: "22:00", End: "08:00"}
	now := utc("2026-12-01T23:30:00Z")
	b := herald.Broadcast{Schedule: herald.Schedule{Kind: herald.SendNow, At: now}}
	if got := zones.DeliverAt(&b, &herald.Subscriber{}, quiet, now); !got.Equal(utc("2026-12-02T08:00:00Z")) {
		t.Errorf("inside quiet hours: %s, want next 08:00", got)
	}
	tokyo := &herald.Subscriber{Timezone: "Asia/Tokyo"} // 08:30 there: awake
	if got := zones.DeliverAt(&b, tokyo, quiet, now); !got.IsZero() {
		t.Errorf("outside quiet hours: %s, want now (zero)", got)
	}
	if got := zones.DeliverAt(&b, &herald.Subscriber{}, nil, now); !got.IsZero() {
		t.Errorf("no quiet hours: %s, want zero", got)
	}
}

// A broadcast's own quiet-hours setting wins over the bot's default: its
// own window, or none at all when it turned them off. Windows are read in
// the recipient's own timezone, or the bot's (Taipei) when theirs is
// unknown.
func TestDeliverAtUsesTheBroadcastsQuietHours(t *testing.T) {
	zones := NewZones(mustZone(t, "Asia/Taipei"))
	botDefault := &herald.QuietHours{Start: "22:00", End: "08:00"}
	evening := &herald.QuietHours{Start: "21:00", End: "07:00"} // crosses midnight
	lunch := &herald.QuietHours{Start: "12:00", End: "13:30"}
	off := &herald.QuietHours{Off: true}
	tests := []struct {
		name    string
		own     *herald.QuietHours
		def     *herald.QuietHours
		zone    string
		now     string
		want    string // "" = now
		kind    herald.ScheduleKind
		localAt string
	}{
		{"no own setting: the bot's default holds", nil, botDefault, "Europe/London", "2026-12-01T23:30:00Z", "2026-12-02T08:00:00Z", "", ""},
		{"no own setting and no default: now", nil, nil, "Europe/London", "2026-12-01T23:30:00Z", "", "", ""},
		{"off: sent in the bot's quiet hours", off, botDefault, "Europe/London", "2026-12-01T23:30:00Z", "", "", ""},
		{"own window holds where the default would not", evening, botDefault, "Europe/London", "2026-12-01T21:30:00Z", "2026-12-02T07:00:00Z", "", ""},
		{"own window crossing midnight, after midnight", evening, botDefault, "Europe/London", "2026-12-02T03:10:00Z", "2026-12-02T07:00:00Z", "", ""},
		{"own window ended where the default still holds", evening, botDefault, "Europe/London", "2026-12-02T07:30:00Z", "", "", ""},
		{"own window without any default", evening, nil, "Europe/London", "2026-12-01T22:00:00Z", "2026-12-02T07:00:00Z", "", ""},
		{"own daytime window", lunch, botDefault, "Europe/London", "2026-12-01T12:15:00Z", "2026-12-01T13:30:00Z", "", ""},
		{"read in the recipient's zone (Tokyo 06:30)", evening, nil, "Asia/Tokyo", "2026-12-01T21:30:00Z", "2026-12-01T22:00:00Z", "", ""},
		{"unknown zone: the bot's (Taipei 21:30)", evening, nil, "", "2026-12-01T13:30:00Z", "2026-12-01T23:00:00Z", "", ""},
		{"user-local 09:00 inside an own morning window", &herald.QuietHours{Start: "08:00", End: "10:00"}, nil, "Europe/London",
			"2026-11-30T19:00:00Z", "2026-12-01T10:00:00Z", herald.SendUserLocal, "2026-12-01 09:00"},
		{"user-local 09:00 with quiet hours off", off, &herald.QuietHours{Start: "08:00", End: "10:00"}, "Europe/London",
			"2026-11-30T19:00:00Z", "2026-12-01T09:00:00Z", herald.SendUserLocal, "2026-12-01 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := utc(tt.now)
			b := herald.Broadcast{Schedule: herald.Schedule{Kind: herald.SendNow, At: now, Quiet: tt.own}}
			if tt.kind != "" {
				b.Schedule = herald.Schedule{Kind: tt.kind, Local: tt.localAt, Quiet: tt.own}
			}
			got := zones.DeliverAt(&b, &herald.Subscriber{Timezone: tt.zone}, tt.def, now)
			if tt.want == "" {
				if !got.IsZero() {
					t.Errorf("deliver at %s, want now", got)
				}
				return
			}
			if !got.Equal(utc(tt.want)) {
				t.Errorf("deliver at %s, want %s", got, tt.want)
			}
		})
	}
}

// Quiet hours end at the wall-clock time on the day they end, whatever the
// clocks did overnight.
func TestQuietEndAcrossDST(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	night := &herald.QuietHours{Start: "22:00", End: "08:00"}
	tests := []struct {
		name string
		q    *herald.QuietHours
		t    string
		want string
	}{
		{"spring forward overnight: 08:00 EDT", night, "2026-03-08T04:00:00Z", "2026-03-08T12:00:00Z"},
		{"fall back overnight: 08:00 EST", night, "2026-11-01T03:00:00Z", "2026-11-01T13:00:00Z"},
		{"end inside the spring-forward gap moves past it", &herald.QuietHours{Start: "22:00", End: "02:30"},
			"2026-03-08T05:00:00Z", "2026-03-08T07:30:00Z"}, // 03:30 EDT, never 01:30 EST (still quiet)
		{"repeated hour, first pass: the first 01:30", &herald.QuietHours{Start: "22:00", End: "01:30"},
			"2026-11-01T05:15:00Z", "2026-11-01T05:30:00Z"},
		{"repeated hour, second pass: the second 01:30, not tomorrow", &herald.QuietHours{Start: "22:00", End: "01:30"},
			"2026-11-01T06:15:00Z", "2026-11-01T06:30:00Z"},
		{"outside quiet hours: unchanged", night, "2026-03-08T16:00:00Z", "2026-03-08T16:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := QuietEnd(tt.q, utc(tt.t), ny)
			if !got.Equal(utc(tt.want)) {
				t.Errorf("QuietEnd(%s, %s) = %s (%s local), want %s", tt.q, tt.t, got, got.In(ny).Format(time.DateTime), tt.want)
			}
			if tt.q.Contains(got.In(ny)) {
				t.Errorf("held until %s local, still inside %s", got.In(ny).Format(time.DateTime), tt.q)
			}
		})
	}
}
