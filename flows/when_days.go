package flows

import (
	"sort"
	"strings"
	"time"
)

// dayRef is a day named in words: relative to today ("tomorrow", "明天",
// "明後日") or a weekday ("monday", "next monday", "週一", "下週一", "来週月曜日").
type dayRef struct {
	offset  int
	weekday int  // 0 = Sunday; -1 when the day is an offset
	next    bool // "next monday": the first such day after today
	// nextWeek is the CJK "下週一"/"来週月曜日": that day in the next
	// calendar week (weeks start on Monday).
	nextWeek bool
	evening  bool // "tonight", "今晚": a bare 9 means 21:00
}

// daysTo counts the days from a day that is today to the one named.
func (d dayRef) daysTo(today time.Weekday) int {
	t := int(today)
	switch {
	case d.nextWeek:
		mon := func(w int) int { return (w + 6) % 7 }
		return 7 - mon(t) + mon(d.weekday)
	case d.next:
		if n := (d.weekday - t + 7) % 7; n > 0 {
			return n
		}
		return 7
	}
	return (d.weekday - t + 7) % 7
}

type dayWord struct {
	word string
	ref  dayRef
}

// dayWords are every language's words for days, longest first so "月曜日"
// wins over "月曜" and "day after tomorrow" over "tomorrow".
var dayWords = buildDayWords()

func buildDayWords() []dayWord {
	var out []dayWord
	rel := func(off int, evening bool, words ...string) {
		for _, w := range words {
			out = append(out, dayWord{w, dayRef{offset: off, weekday: -1, evening: evening}})
		}
	}
	rel(0, false, "today", "今天", "今日", "きょう", "本日")
	rel(0, true, "tonight", "今晚", "今夜", "今晩")
	rel(1, false, "tomorrow", "tmr", "明天", "明日", "あした", "あす")
	rel(1, true, "tomorrow night", "明晚", "明晩")
	rel(2, false, "day after tomorrow", "the day after tomorrow", "後天", "后天", "明後日", "あさって")
	en := [][]string{{"sunday", "sun"}, {"monday", "mon"}, {"tuesday", "tue", "tues"}, {"wednesday", "wed"},
		{"thursday", "thu", "thur", "thurs"}, {"friday", "fri"}, {"saturday", "sat"}}
	ja := []string{"日", "月", "火", "水", "木", "金", "土"}
	zh := []string{"日", "一", "二", "三", "四", "五", "六"}
	for wd := range 7 {
		add := func(w string, r dayRef) {
			r.weekday = wd
			out = append(out, dayWord{w, r})
		}
		for _, w := range en[wd] {
			add(w, dayRef{})
			add("this "+w, dayRef{})
			add("on "+w, dayRef{})
			add("next "+w, dayRef{next: true})
		}
		for _, suffix := range []string{"曜日", "曜"} {
			add(ja[wd]+suffix, dayRef{})
			add("来週"+ja[wd]+suffix, dayRef{nextWeek: true})
			add("来週の"+ja[wd]+suffix, dayRef{nextWeek: true})
		}
		digits := []string{zh[wd]}
		if wd == 0 {
			digits = append(digits, "天")
		}
		for _, d := range digits {
			for _, p := range zhWeekPrefixes {
				add(p+d, dayRef{})
				add("下"+p+d, dayRef{nextWeek: true})
				add("下个"+p+d, dayRef{nextWeek: true})
				add("下個"+p+d, dayRef{nextWeek: true})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].word) > len(out[j].word) })
	return out
}

// zhWeekPrefixes are the Chinese words a weekday's number follows.
var zhWeekPrefixes = []string{"週", "周", "星期", "禮拜", "礼拜"}

// cutDay takes a day word off the front of s (normalized). found is false
// when s names no day: it is then today's (or the next) time.
func cutDay(s string) (day dayRef, rest string, found bool) {
	for _, dw := range dayWords {
		r, ok := strings.CutPrefix(s, dw.word)
		if !ok || (r != "" && isASCIILetter(r[0]) && isASCIILetter(dw.word[len(dw.word)-1])) {
			continue
		}
		return dw.ref, strings.TrimSpace(r), true
	}
	return dayRef{weekday: -1}, s, false
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' }
