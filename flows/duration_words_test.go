package flows

import (
	"testing"
	"time"
)

// A sequence step's delay reads as admins write it in their language,
// with or without a time of their own day; what it cannot read stays
// refused.
func TestParseStepDelayWords(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		in    string
		delay time.Duration
		at    string
	}{
		{"0", 0, ""}, {"now", 0, ""}, {"すぐ", 0, ""}, {"立即", 0, ""}, {"now 10:00", 0, "10:00"}, {"2h", 2 * time.Hour, ""}, {"1d 12h", 36 * time.Hour, ""}, {"3d 10:00", 3 * day, "10:00"},
		{"3d 9:00", 3 * day, "09:00"}, {"2 days", 2 * day, ""}, {"1 week later", 7 * day, ""}, {"30 minutes", 30 * time.Minute, ""},
		{"tomorrow", day, ""}, {"tomorrow 10:00", day, "10:00"}, {"2日後", 2 * day, ""}, {"2日", 2 * day, ""},
		{"3日後 10:00", 3 * day, "10:00"}, {"１日後　１０：００", day, "10:00"}, {"明日", day, ""}, {"4時間後", 4 * time.Hour, ""},
		{"3天后", 3 * day, ""}, {"3天後 10:00", 3 * day, "10:00"}, {"明天", day, ""}, {"2小时", 2 * time.Hour, ""}, {"1周", 7 * day, ""},
		{"1週間後", 7 * day, ""}, {"30分钟后", 30 * time.Minute, ""}, {"2 days later at 9:00", 2 * day, "09:00"},
		{"3日後の 10:00", 3 * day, "10:00"}, {"2日後に9:00", 2 * day, "09:00"}, {"3天后的10:00", 3 * day, "10:00"},
	} {
		d, at, ok := parseStepDelay(c.in)
		if !ok || d != c.delay || at != c.at {
			t.Errorf("parseStepDelay(%q) = %v, %q, %v; want %v, %q", c.in, d, at, ok, c.delay, c.at)
		}
	}
	for _, in := range []string{"", "soon", "1d 25:00", "next monday", "2x", "10:00 11:00", "-1d"} {
		if _, _, ok := parseStepDelay(in); ok {
			t.Errorf("parseStepDelay(%q) read; want it refused", in)
		}
	}
}

// An A/B test's share and wait read with the units spelt out too.
func TestParseSplitWords(t *testing.T) {
	for _, c := range []struct {
		in      string
		percent float64
		wait    time.Duration
	}{
		{"10% 4h", 10, 4 * time.Hour}, {"10% 4 hours", 10, 4 * time.Hour}, {"4 hours 10%", 10, 4 * time.Hour},
		{"20% 30 minutes", 20, 30 * time.Minute}, {"5% 1 day", 5, 24 * time.Hour}, {"10% 4小时", 10, 4 * time.Hour},
		{"10％ ４時間", 10, 4 * time.Hour}, {"10% 30分", 10, 30 * time.Minute}, {"10% 1天", 10, 24 * time.Hour},
	} {
		p, w, ok := parseSplit(c.in)
		if !ok || p != c.percent || w != c.wait {
			t.Errorf("parseSplit(%q) = %v, %v, %v; want %v, %v", c.in, p, w, ok, c.percent, c.wait)
		}
	}
	for _, in := range []string{"10%", "4h", "ten percent 4h", "10% 4h 5h"} {
		if _, _, ok := parseSplit(in); ok {
			t.Errorf("parseSplit(%q) read; want it refused", in)
		}
	}
}
