package flows

import (
	"testing"
	"time"
)

// zone loads a tz database zone the tests' clocks use.
func zone(name string) *time.Location {
	loc, _ := time.LoadLocation(name)
	return loc
}

// Dates as people type them, per language, at fixed clocks: a Monday 09:00
// in Taipei, and the Saturdays before New York's clocks change.
func TestReadWhenAsPeopleTypeIt(t *testing.T) {
	taipei, ny := zone("Asia/Taipei"), zone("America/New_York")
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, taipei)
	beforeSpring := time.Date(2026, 3, 7, 12, 0, 0, 0, ny) // clocks skip 02:00–03:00 on the 8th
	beforeFall := time.Date(2026, 10, 31, 12, 0, 0, 0, ny) // 01:00–02:00 happens twice on Nov 1st
	tests := []struct {
		lang, in string
		now      time.Time
		want     string // RFC 3339 in the zone of now
	}{
		{"en", "tomorrow 9am", monday, "2026-11-24T09:00:00+08:00"},
		{"en", "Tomorrow  9 A.M.", monday, "2026-11-24T09:00:00+08:00"},
		{"en", "9:00pm", monday, "2026-11-23T21:00:00+08:00"},
		{"en", "8:00", monday, "2026-11-24T08:00:00+08:00"},
		{"en", "in 2 hours", monday, "2026-11-23T11:00:00+08:00"},
		{"en", "in 30 min", monday, "2026-11-23T09:30:00+08:00"},
		{"en", "next monday 10:00", monday, "2026-11-30T10:00:00+08:00"},
		{"en", "monday 10:00", monday, "2026-11-23T10:00:00+08:00"},
		{"en", "monday 8:00", monday, "2026-11-30T08:00:00+08:00"},
		{"en", "fri 5:30 pm", monday, "2026-11-27T17:30:00+08:00"},
		{"en", "tonight 9", monday, "2026-11-23T21:00:00+08:00"},
		{"en", "today 18:00", monday, "2026-11-23T18:00:00+08:00"},
		{"en", "day after tomorrow 12pm", monday, "2026-11-25T12:00:00+08:00"},
		{"en", "tomorrow 12am", monday, "2026-11-24T00:00:00+08:00"},
		{"en", "2026-12-01 09:00", monday, "2026-12-01T09:00:00+08:00"},
		{"en", "2026/12/01 at 9pm", monday, "2026-12-01T21:00:00+08:00"},
		{"zh-TW", "明天上午9點", monday, "2026-11-24T09:00:00+08:00"},
		{"zh-TW", "明天 ０９：００", monday, "2026-11-24T09:00:00+08:00"},
		{"zh-TW", "下週一 10:00", monday, "2026-11-30T10:00:00+08:00"},
		{"zh-TW", "下週三 10:00", monday, "2026-12-02T10:00:00+08:00"},
		{"zh-TW", "週三 10:00", monday, "2026-11-25T10:00:00+08:00"},
		{"zh-TW", "今天下午3點半", monday, "2026-11-23T15:30:00+08:00"},
		{"zh-TW", "後天 晚上8點", monday, "2026-11-25T20:00:00+08:00"},
		{"zh-TW", "2小時後", monday, "2026-11-23T11:00:00+08:00"},
		{"zh-TW", "12月24日 18:00", monday, "2026-12-24T18:00:00+08:00"},
		{"zh-TW", "禮拜天 中午12點", monday, "2026-11-29T12:00:00+08:00"},
		{"zh-CN", "明天 09:00", monday, "2026-11-24T09:00:00+08:00"},
		{"zh-CN", "下周一 10:00", monday, "2026-11-30T10:00:00+08:00"},
		{"zh-CN", "今晚9点", monday, "2026-11-23T21:00:00+08:00"},
		{"zh-CN", "后天上午10点", monday, "2026-11-25T10:00:00+08:00"},
		{"zh-CN", "30分钟后", monday, "2026-11-23T09:30:00+08:00"},
		{"zh-CN", "星期五 下午5点", monday, "2026-11-27T17:00:00+08:00"},
		{"zh-CN", "11月1日 9:00", monday, "2027-11-01T09:00:00+08:00"},
		{"zh-CN", "2026年12月1日 9点", monday, "2026-12-01T09:00:00+08:00"},
		{"ja", "明日 9:00", monday, "2026-11-24T09:00:00+08:00"},
		{"ja", "明日 午前9時", monday, "2026-11-24T09:00:00+08:00"},
		{"ja", "来週月曜日 10:00", monday, "2026-11-30T10:00:00+08:00"},
		{"ja", "来週の水曜 10:00", monday, "2026-12-02T10:00:00+08:00"},
		{"ja", "今日 18:00", monday, "2026-11-23T18:00:00+08:00"},
		{"ja", "明後日 21時30分", monday, "2026-11-25T21:30:00+08:00"},
		{"ja", "2時間後", monday, "2026-11-23T11:00:00+08:00"},
		{"ja", "金曜日 午後5時", monday, "2026-11-27T17:00:00+08:00"},
		{"ja", "今夜 9時", monday, "2026-11-23T21:00:00+08:00"},
		// Spring forward: 02:30 does not exist and moves on by the gap; the
		// wall clock holds across the change, a duration does not.
		{"en", "tomorrow 2:30am", beforeSpring, "2026-03-08T03:30:00-04:00"},
		{"en", "tomorrow 9am", beforeSpring, "2026-03-08T09:00:00-04:00"},
		{"en", "in 24 hours", beforeSpring, "2026-03-08T13:00:00-04:00"},
		{"zh-TW", "明天上午9點", beforeSpring, "2026-03-08T09:00:00-04:00"},
		// Fall back: 01:30 happens twice and is the first of the two.
		{"en", "tomorrow 1:30am", beforeFall, "2026-11-01T01:30:00-04:00"},
		{"ja", "明日 9:00", beforeFall, "2026-11-01T09:00:00-05:00"},
		{"en", "in 24 hours", beforeFall, "2026-11-01T11:00:00-05:00"},
	}
	for _, tt := range tests {
		loc := tt.now.Location()
		at, err := readWhen(tt.in, tt.now.UTC(), loc)
		if err != nil {
			t.Errorf("%s %q: %s %v", tt.lang, tt.in, err.Key, err.Args)
			continue
		}
		if got := at.In(loc).Format(time.RFC3339); got != tt.want {
			t.Errorf("%s %q at %s: %s, want %s", tt.lang, tt.in, tt.now.Format(time.RFC3339), got, tt.want)
		}
	}
}

// Mistakes are named precisely rather than "couldn't read".
func TestReadWhenSaysWhatIsWrong(t *testing.T) {
	taipei := zone("Asia/Taipei")
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, taipei)
	tests := []struct{ in, key string }{
		{"2027-02-31 09:00", "err.when.no_day"},
		{"2028-02-30 9am", "err.when.no_day"},
		{"2027-02-29 09:00", "err.when.no_day"},
		{"2月31日 9:00", "err.when.no_day"},
		{"2026-11-22 09:00", "err.when.past"},
		{"today 08:00", "err.when.past"},
		{"今天 上午8點", "err.when.past"},
		{"2026-12-01", "err.when.no_time"},
		{"25:00", "err.when.clock"},
		{"13pm", "err.when.clock"},
		{"tomorrow 9:75", "err.when.clock"},
		{"tomorrow", "err.at.format"},
		{"next week", "err.at.format"},
		{"in 0 hours", "err.at.format"},
		{"", "err.at.format"},
	}
	for _, tt := range tests {
		if _, ok := parseWhen(tt.in, monday, taipei); ok {
			t.Errorf("%q read as a time", tt.in)
		}
		if _, err := readWhen(tt.in, monday, taipei); err == nil || err.Key != tt.key {
			t.Errorf("%q: %+v, want %s", tt.in, err, tt.key)
		}
	}
}

// Rhythms in every language, into the cron expression the scheduler fires.
func TestRecurringCronReadsEveryLanguage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"daily 09:00", "0 9 * * *"},
		{"every day 9am", "0 9 * * *"},
		{"weekdays 18:30", "30 18 * * 1-5"},
		{"every weekday 6:30pm", "30 18 * * 1-5"},
		{"monday 09:00", "0 9 * * 1"},
		{"every monday 10:00", "0 10 * * 1"},
		{"weekly fri 17:00", "0 17 * * 5"},
		{"每天 09:00", "0 9 * * *"},
		{"每日 上午9點", "0 9 * * *"},
		{"每週一 10:00", "0 10 * * 1"},
		{"每周日 晚上8点", "0 20 * * 0"},
		{"每星期五 下午5點", "0 17 * * 5"},
		{"每个工作日 9:00", "0 9 * * 1-5"},
		{"工作日 9:00", "0 9 * * 1-5"},
		{"毎日 9:00", "0 9 * * *"},
		{"毎週月曜日 10:00", "0 10 * * 1"},
		{"毎週日曜日 10:00", "0 10 * * 0"},
		{"平日 18時", "0 18 * * 1-5"},
		{`"0 9 * * 1-5"`, "0 9 * * 1-5"},
	}
	for _, tt := range tests {
		if got, ok := recurringCron(tt.in); !ok || got != tt.want {
			t.Errorf("%q: %q %v, want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"every full moon", "daily", "每天", "0 9 * * 9", "every monday 25:00"} {
		if got, ok := recurringCron(bad); ok {
			t.Errorf("%q read as %q", bad, got)
		}
	}
}
