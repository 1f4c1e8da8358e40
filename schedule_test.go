package herald

import (
	"encoding/json"
	"errors"
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
		{&QuietHours{Start: "9:00", End: "09:00"}, "12:00", false},  // the same, spelt differently
		{&QuietHours{Off: true}, "23:00", false},
		{&QuietHours{Start: "9pm", End: "08:00"}, "23:00", false}, // unreadable: never quiet
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
		{"quiet hours", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{Start: "22:00", End: "08:00"}}, ""},
		{"quiet hours off", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{Off: true}}, ""},
		{"quiet hours unreadable", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{Start: "22:00", End: "8am"}}, "schedule.quiet"},
		{"quiet hours that never start", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{Start: "22:00", End: "22:00"}}, "schedule.quiet"},
		{"quiet hours 9:00–09:00", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{Start: "9:00", End: "09:00"}}, "schedule.quiet"},
		{"quiet hours both off and set", Schedule{Kind: SendAt, At: at, Quiet: &QuietHours{Start: "22:00", End: "08:00", Off: true}}, "schedule.quiet"},
	}
	for _, tt := range tests {
		assertField(t, tt.name, tt.s.Validate(), tt.field)
	}
}

func TestParseQuietHours(t *testing.T) {
	tests := []struct {
		in   string
		want QuietHours
		code string
	}{
		{"22:00-07:30", QuietHours{Start: "22:00", End: "07:30"}, ""},
		{" 22:00 – 7:30 ", QuietHours{Start: "22:00", End: "07:30"}, ""},
		{"21:00〜08:00", QuietHours{Start: "21:00", End: "08:00"}, ""},
		{"12:00~13:30", QuietHours{Start: "12:00", End: "13:30"}, ""},
		{"22:00", QuietHours{}, CodeInvalid},
		{"10pm-7am", QuietHours{}, CodeInvalid},
		{"22:00-24:00", QuietHours{}, CodeInvalid},
		{"-07:00", QuietHours{}, CodeInvalid},
		{"08:00-8:00", QuietHours{}, CodeEmptySpan},
		{"", QuietHours{}, CodeInvalid},
	}
	for _, tt := range tests {
		got, err := ParseQuietHours(tt.in)
		var ve *ValidationError
		switch {
		case tt.code == "" && err != nil:
			t.Errorf("ParseQuietHours(%q): %v", tt.in, err)
		case tt.code != "" && (!errors.As(err, &ve) || ve.Code != tt.code || ve.Field != "schedule.quiet"):
			t.Errorf("ParseQuietHours(%q) = %+v, %v; want schedule.quiet %s", tt.in, got, err, tt.code)
		case got != tt.want:
			t.Errorf("ParseQuietHours(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// A broadcast follows the bot's default quiet hours unless it has its own
// window or turned them off; stored broadcasts from before Off existed
// read as a window or as "the default".
func TestScheduleQuietWindow(t *testing.T) {
	def := &QuietHours{Start: "22:00", End: "08:00"}
	own := &QuietHours{Start: "21:00", End: "07:00"}
	tests := []struct {
		name     string
		own, def *QuietHours
		want     *QuietHours
	}{
		{"default", nil, def, def},
		{"no default", nil, nil, nil},
		{"own window", own, def, own},
		{"off", &QuietHours{Off: true}, def, nil},
	}
	for _, tt := range tests {
		s := Schedule{Kind: SendNow, Quiet: tt.own}
		if got := s.QuietWindow(tt.def); got != tt.want {
			t.Errorf("%s: QuietWindow = %v, want %v", tt.name, got, tt.want)
		}
	}
	var old Schedule
	if err := json.Unmarshal([]byte(`{"Kind":"at","Quiet":{"Start":"22:00","End":"06:00"}}`), &old); err != nil {
		t.Fatal(err)
	}
	if got := old.QuietWindow(def); got == nil || *got != (QuietHours{Start: "22:00", End: "06:00"}) {
		t.Errorf("a stored window reads as %v", got)
	}
	if err := json.Unmarshal([]byte(`{"Kind":"at","Quiet":null}`), &old); err != nil || old.QuietWindow(def) != def {
		t.Errorf("a stored broadcast without quiet hours should follow the default: %v", err)
	}
}
