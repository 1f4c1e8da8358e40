package flows

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald/schedule"
)

// everyWords start a rhythm in any language; the longest are tried first.
var everyWords = []string{"every ", "weekly ", "每個星期", "每个星期", "每星期", "每禮拜", "每礼拜", "每週", "每周", "毎週", "每", "毎"}

// dailyWords and weekdayWords name the two rhythms that are not one weekday.
var (
	dailyWords   = []string{"day", "daily", "everyday", "天", "日", "天天"}
	weekdayWords = []string{"weekday", "weekdays", "工作日", "个工作日", "個工作日", "平日", "週一至週五", "周一至周五"}
)

// recurringCron reads a rhythm as people type it — "daily 09:00", "every
// day 9am", "weekdays 18:30", "every monday 10:00", "每天 09:00", "每週一
// 10:00", "毎日 9:00", "毎週月曜日 10:00", "平日 9:00" — or a five-field cron
// expression, into a cron expression. The wizard and the one-line /new
// both read rhythms here.
func recurringCron(s string) (string, bool) {
	s = normalizeWhen(strings.Trim(strings.TrimSpace(s), `"“”`))
	if f := strings.Fields(s); len(f) == 5 && strings.ContainsAny(f[4], "*0123456789") {
		expr := strings.Join(f, " ")
		return expr, schedule.ValidateCron(expr) == nil
	}
	prefix := ""
	for _, w := range everyWords {
		if r, ok := strings.CutPrefix(s, w); ok {
			s, prefix = strings.TrimSpace(r), w
			break
		}
	}
	dow, rest, ok := rhythmDays(s, prefix)
	if !ok {
		return "", false
	}
	h, m, err := readClock(rest, false)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("%d %d * * %s", m, h, dow), true
}

// rhythmDays reads which days a rhythm runs on (a cron day-of-week field)
// off the front of s, after the "every" word prefix (possibly "").
func rhythmDays(s, prefix string) (dow, rest string, ok bool) {
	if day, rest, found := cutDay(s); found && day.weekday >= 0 {
		return fmt.Sprint(day.weekday), rest, true
	}
	if prefix != "每" && prefix != "毎" && prefix != "" && prefix[0] >= 0x80 {
		// "每週一": the prefix already said "week", a number follows.
		for wd, d := range []string{"日", "一", "二", "三", "四", "五", "六", "天"} {
			if r, ok := strings.CutPrefix(s, d); ok {
				return fmt.Sprint(wd % 7), r, true
			}
		}
	}
	for _, set := range []struct {
		words []string
		dow   string
	}{{weekdayWords, "1-5"}, {dailyWords, "*"}} {
		for _, w := range set.words {
			if r, ok := strings.CutPrefix(s, w); ok && (r == "" || r[0] == ' ' || r[0] >= 0x80 || !isASCIILetter(w[len(w)-1])) {
				return set.dow, r, true
			}
		}
	}
	return "", "", false
}
