package flows

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
	"golang.org/x/text/width"
)

// whenError is a date or time the admin typed that names no instant Herald
// can use, said as a message key and its arguments so each door words it in
// the admin's language.
type whenError struct {
	Key  string
	Args []any
}

// parseWhen reads a date and time as people type it, in any of the four
// languages: "2026-12-01 09:00", "tomorrow 9am", "9:00pm", "in 2 hours",
// "next monday 10:00", "明天上午9點", "明日 9:00", "下週一 10:00", "12月24日 18:00".
// A bare time is the next such time. It is readWhen without the reason.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	at, err := readWhen(s, now, loc)
	return at, err == nil
}

// normalizeWhen folds full-width letters and digits, case and spacing, so
// "明天 ０９：００" and "Tomorrow  9AM" read like their plain forms.
func normalizeWhen(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	s = strings.NewReplacer("a.m.", "am", "p.m.", "pm", "：", ":").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

var (
	reRelEN    = regexp.MustCompile(`^in (\d{1,4}) ?(minutes?|mins?|m|hours?|hrs?|h|days?|d)$`)
	reRelCJK   = regexp.MustCompile(`^(\d{1,4}) ?(分钟|分鐘|分|个小时|個小時|小时|小時|時間|天|日)(后|後|以后|以後)$`)
	reISO      = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b ?`)
	reCJKDate  = regexp.MustCompile(`^(?:(\d{4}) ?年 ?)?(\d{1,2}) ?月 ?(\d{1,2}) ?[日号號] ?`)
	reClock    = regexp.MustCompile(`^(\d{1,2})(?::(\d{2})| ?[点點時时](?: ?(\d{1,2}) ?分?| ?(半))?)? ?(am|pm|a|p)?$`)
	relUnits   = map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "分": time.Minute, "時": time.Hour, "小": time.Hour, "个": time.Hour, "個": time.Hour, "天": 24 * time.Hour, "日": 24 * time.Hour}
	amWords    = []string{"上午", "早上", "早晨", "凌晨", "午前", "朝"}
	pmWords    = []string{"下午", "晚上", "傍晚", "午後", "夜", "中午"}
	clockWords = map[string]string{"noon": "12:00", "midnight": "0:00", "正午": "12:00"}
)

// readWhen is the one reader of dates and times for the wizard and the
// one-line /new: the same words mean the same instant in both. The words of
// every language are read whatever the admin's own, since they do not
// collide; the error says precisely what is wrong with the input.
func readWhen(s string, now time.Time, loc *time.Location) (time.Time, *whenError) {
	s = normalizeWhen(s)
	if m := reRelEN.FindStringSubmatch(s); m != nil {
		return relative(now, m[1], m[2][:1])
	}
	if m := reRelCJK.FindStringSubmatch(s); m != nil {
		r := []rune(m[2])
		return relative(now, m[1], string(r[0]))
	}
	local := now.In(loc)
	if m := reISO.FindStringSubmatch(s); m != nil {
		return onDate(m[1], m[2], m[3], s[len(m[0]):], now, loc)
	}
	if m := reCJKDate.FindStringSubmatch(s); m != nil {
		year := m[1]
		if year == "" {
			year = strconv.Itoa(local.Year())
		}
		at, err := onDate(year, m[2], m[3], s[len(m[0]):], now, loc)
		if err != nil && err.Key == "err.when.past" && m[1] == "" {
			// "12月1日" in December after the 1st means next year's.
			return onDate(strconv.Itoa(local.Year()+1), m[2], m[3], s[len(m[0]):], now, loc)
		}
		return at, err
	}
	day, rest, found := cutDay(s)
	h, mi, err := readClock(rest, day.evening)
	if err != nil {
		return time.Time{}, err
	}
	date := local
	switch {
	case day.weekday >= 0:
		date = date.AddDate(0, 0, day.daysTo(local.Weekday()))
	default:
		date = date.AddDate(0, 0, day.offset)
	}
	at := atWall(date.Year(), date.Month(), date.Day(), h, mi, loc)
	if !at.After(now) {
		switch {
		case !found:
			return atWall(date.Year(), date.Month(), date.Day()+1, h, mi, loc), nil
		case day.weekday >= 0 && !day.next:
			return atWall(date.Year(), date.Month(), date.Day()+7, h, mi, loc), nil
		}
		return time.Time{}, pastError(at, loc)
	}
	return at, nil
}

func relative(now time.Time, n, unit string) (time.Time, *whenError) {
	v, _ := strconv.Atoi(n)
	if v == 0 {
		return time.Time{}, &whenError{Key: "err.at.format"}
	}
	return now.Add(time.Duration(v) * relUnits[unit]).Truncate(time.Second), nil
}

// onDate is a calendar date with the time in rest, refused precisely when
// the month has no such day or the moment has passed.
func onDate(y, mo, d, rest string, now time.Time, loc *time.Location) (time.Time, *whenError) {
	year, _ := strconv.Atoi(y)
	month, _ := strconv.Atoi(mo)
	day, _ := strconv.Atoi(d)
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, &whenError{Key: "err.at.format"}
	}
	if days := daysIn(year, time.Month(month)); day > days {
		return time.Time{}, &whenError{Key: "err.when.no_day", Args: []any{"Month", monthKeys[month-1], "Day", day, "Days", days, "Year", year}}
	}
	rest = strings.TrimPrefix(strings.TrimSpace(rest), "at ")
	if rest == "" {
		return time.Time{}, &whenError{Key: "err.when.no_time"}
	}
	h, mi, err := readClock(rest, false)
	if err != nil {
		return time.Time{}, err
	}
	at := atWall(year, time.Month(month), day, h, mi, loc)
	if !at.After(now) {
		return time.Time{}, pastError(at, loc)
	}
	return at, nil
}

// monthKeys name months in the admin's language, January first.
var monthKeys = []string{"month.1", "month.2", "month.3", "month.4", "month.5", "month.6",
	"month.7", "month.8", "month.9", "month.10", "month.11", "month.12"}

func pastError(at time.Time, loc *time.Location) *whenError {
	return &whenError{Key: "err.when.past", Args: []any{"When", at.In(loc).Format(herald.LocalLayout)}}
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// atWall is the instant a wall clock in loc shows that minute, the way the
// scheduler resolves clock changes (a skipped time moves forward by the
// gap; a repeated one is the first).
func atWall(year int, month time.Month, day, hour, minute int, loc *time.Location) time.Time {
	d := time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
	at, err := schedule.LocalInstant(d.Format(herald.LocalLayout), loc)
	if err != nil {
		return time.Date(year, month, day, hour, minute, 0, 0, loc)
	}
	return at.In(loc)
}

// readClock reads a time of day: "9:00", "21:30", "9am", "9:30 pm",
// "上午9點", "下午3点半", "午後9時30分", "晚上9点". evening reads a bare
// 1–11 as the afternoon ("tonight 9").
func readClock(s string, evening bool) (hour, minute int, err *whenError) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "at ")
	if c, ok := clockWords[s]; ok {
		s = c
	}
	period := ""
	for _, w := range amWords {
		if r, ok := strings.CutPrefix(s, w); ok {
			s, period = strings.TrimSpace(r), "am"
		}
	}
	for _, w := range pmWords {
		if r, ok := strings.CutPrefix(s, w); ok {
			s, period = strings.TrimSpace(r), "pm"
			if w == "中午" {
				period = "noon"
			}
		}
	}
	m := reClock.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, &whenError{Key: "err.at.format"}
	}
	hour, _ = strconv.Atoi(m[1])
	switch {
	case m[2] != "":
		minute, _ = strconv.Atoi(m[2])
	case m[3] != "":
		minute, _ = strconv.Atoi(m[3])
	case m[4] != "":
		minute = 30
	}
	if m[5] != "" {
		period = m[5][:1] + "m"
	}
	bad := &whenError{Key: "err.when.clock", Args: []any{"Clock", s}}
	if minute > 59 || hour > 23 {
		return 0, 0, bad
	}
	switch period {
	case "am", "pm":
		if hour < 1 || hour > 12 {
			return 0, 0, bad
		}
		hour %= 12
		if period == "pm" {
			hour += 12
		}
	case "noon":
		if hour >= 1 && hour < 6 {
			hour += 12
		}
	default:
		if evening && hour >= 1 && hour < 12 {
			hour += 12
		}
	}
	return hour, minute, nil
}
