package flows

import (
	"math"
	"strconv"
	"time"

	"github.com/heraldbot/herald/locales"
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
