package flows

import (
	"testing"
	"time"
)

// TestLangAndTzSayWhatIsWrongAndSuggest: in every language, /lang and /tz
// with something they do not know say so, list what is valid, and offer the
// near miss as a button that works.
func TestLangAndTzSayWhatIsWrongAndSuggest(t *testing.T) {
	h := newHarness(t)
	for _, lang := range []string{"en", "ja", "zh-TW", "zh-CN"} {
		h.send("/lang " + lang)
		h.send("/lang fr")
		h.send("/lang japanse")
		h.send("/tz Mars/Olympus")
		h.send("/tz tokio")
		h.press("/tz Asia/Tokyo")
		h.send("/tz Asia/Taipei")
	}
	h.send("/lang en")
	mustContain(t, h.send("/lang jpn"), "Did you mean ja?")
	mustContain(t, h.press("/lang ja"), "日本語")
	h.golden("settings_near_miss")
}

func TestNearZone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"asia/taipei", "Asia/Taipei"},
		{"America/New York", "America/New_York"},
		{"new york", "America/New_York"},
		{"Tokyo", "Asia/Tokyo"},
		{"Asia/Tokio", "Asia/Tokyo"},
		{"Europe/Londn", "Europe/London"},
		{"londn", "Europe/London"},
		{"utc", "UTC"},
		{"Mars/Olympus", ""},
		{"Olympus", ""},
		{"Asia/Nowhere", ""},
	} {
		if got := nearZone(tc.in); got != tc.want {
			t.Errorf("nearZone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSuggestedZonesLoad: every name /tz may suggest is one it accepts.
func TestSuggestedZonesLoad(t *testing.T) {
	if len(zones) < 400 || zones[0] != "UTC" {
		t.Fatalf("zones.txt holds %d names starting %v", len(zones), zones[:1])
	}
	for _, z := range zones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%s: %v", z, err)
		}
	}
}
