package herald

import (
	"testing"
	"time"
)

func TestQuietHoursContains(t *testing.T) {
	at := func(hhmm string) time.Time {
		tm, err := time.Parse("15:04", hhmm)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(2026, 3, 10, tm.Hour(), tm.Minute(), 59, 0, time.UTC)
	}
	night := &QuietHours{Start: "22:00", End: "08:00"} // across midnight
	lunch := &QuietHours{Start: "12:00", End: "13:30"}
	tests := []struct {
		q    *QuietHours
		at   string
		want bool
	}{
		{night, "21:59", false},
		{night, "22:00", true}, // the start is inside
		{night, "23:59", true},
		{night, "00:00", true},
		{night, "07:59", true},
		{night, "08:00", false}, // the end is outside
		{night, "12:00", false},
		{lunch, "11:59", false},
		{lunch, "12:00", true},
		{lunch, "13:29", true},
		{lunch, "13:30", false},
		{lunch, "00:00", false},
		{&QuietHours{Start: "09:00", End: "09:00"}, "09:00", false}, // empty span
		{&QuietHours{Start: "9pm", End: "08:00"}, "23:00", false},   // unreadable: never quiet
	}
	for _, tt := range tests {
		if got := tt.q.Contains(at(tt.at)); got != tt.want {
			t.Errorf("%s–%s contains %s = %v, want %v", tt.q.Start, tt.q.End, tt.at, got, tt.want)
		}
	}
	// The local clock time counts, not UTC.
	taipei := time.FixedZone("Asia/Taipei", 8*3600)
	if !night.Contains(time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC).In(taipei)) { // 23:00 in Taipei
		t.Error("23:00 local should be quiet")
	}
}

func TestScheduleValidate(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		s     Schedule
		field string
	}{
		{"now", Schedule{Kind: SendNow, At: at}, ""},
		{"at", Schedule{Kind: SendAt, At: at}, ""},
		{"at without time", Schedule{Kind: SendAt}, "schedule.at"},
		{"user local", Schedule{Kind: SendUserLocal, Local: "2026-04-01 09:00"}, ""},
		{"user local unreadable", Schedule{Kind: SendUserLocal, Local: "April 1st 9am"}, "schedule.local"},
		{"recurring", Schedule{Kind: SendRecurring, Cron: "0 9 * * 1"}, ""},
		{"recurring without cron", Schedule{Kind: SendRecurring, Cron: " "}, "schedule.cron"},
		{"unknown kind", Schedule{Kind: "later"}, "schedule.kind"},
		{"quiet hours", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{"22:00", "08:00"}}, ""},
		{"quiet hours unreadable", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{"22:00", "8am"}}, "schedule.quiet"},
	}
	for _, tt := range tests {
		assertField(t, tt.name, tt.s.Validate(), tt.field)
	}
}
