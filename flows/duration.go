package flows

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald/locales"
	"golang.org/x/text/width"
)

// RoughDuration is a time ahead as people estimate it, rounded up (an ETA
// that runs out early reads as a broken promise): "20 s" to the next ten
// seconds under a minute, then whole minutes: "12 min", "3 h 5 min", "2 d 4 h".
// The summary's preflight and the live progress message say times ahead
// with it, so the estimate before sending reads like the one during it.
func RoughDuration(loc *locales.Localizer, d time.Duration) string {
	if d < 50*time.Second {
		s := max(10, int64(math.Ceil(d.Seconds()/10))*10)
		return loc.T("duration.s", "S", strconv.FormatInt(s, 10))
	}
	return WholeMinutes(loc, max(1, int64(math.Ceil(d.Minutes()))))
}

// WholeMinutes shows m minutes in the largest units that read well; every
// duration an admin reads ends in it.
func WholeMinutes(loc *locales.Localizer, m int64) string {
	h, d := m/60, m/(24*60)
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch {
	case m < 60:
		return loc.T("duration.m", "M", i(m))
	case h < 48 && m%60 == 0:
		return loc.T("duration.h", "H", i(h))
	case h < 48:
		return loc.T("duration.hm", "H", i(h), "M", i(m%60))
	}
	return loc.T("duration.dh", "D", i(d), "H", i(h%24))
}

// durationWords reads a typed wait (an A/B test's, a sequence step's
// delay) as Herald's short units, whatever words the admin used: "4
// hours", "4 時間", "2日後", "３天后" and "tomorrow" become "4h", "4h",
// "2d", "3d" and "1d"; the percent sign stands apart ("10 %").
func durationWords(s string) string {
	s = cjkUnits.Replace(strings.ToLower(width.Fold.String(s)))
	s = englishUnit.ReplaceAllStringFunc(s, func(w string) string {
		switch w {
		case "tomorrow":
			return " 1d "
		case "later", "after", "at":
			return " "
		}
		return " " + w[:1] + " "
	})
	return strings.TrimSpace(gluedUnit.ReplaceAllString(s, "$1$2"))
}

// cjkUnits are the Japanese and Chinese words of a wait, longest first (a
// Replacer tries them in order at each place), each as its short unit;
// 後 ("after") and the particles before a time of day (の, に, 的) add
// nothing.
var cjkUnits = strings.NewReplacer("%", " % ", "明日", " 1d ", "明天", " 1d ",
	"分钟", " m ", "分鐘", " m ", "小时", " h ", "小時", " h ", "時間", " h ", "分", " m ",
	"个星期", " w ", "個星期", " w ", "星期", " w ", "週間", " w ", "周", " w ", "週", " w ",
	"天", " d ", "日", " d ", "以后", " ", "以後", " ", "之后", " ", "之後", " ", "後", " ", "后", " ", "の", " ", "に", " ", "的", " ")

// englishUnit is a unit spelt out in English ("4 hours", "2days"), and
// the words around one that add nothing ("later", "at") or say one
// (tomorrow).
var englishUnit = regexp.MustCompile(`(tomorrow|later|after|\bat|minutes?|mins?|hours?|hrs?|days?|weeks?)\b`)

// gluedUnit joins a number to the unit after it ("4 h" → "4h").
var gluedUnit = regexp.MustCompile(`(\d)\s+([mhdw])\b`)

// unitLengths are the short units' lengths.
var unitLengths = map[string]time.Duration{"m": time.Minute, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}
