package flows

import (
	"testing"
	"time"
)

func TestRecurringEndClause(t *testing.T) {
	taipei, _ := time.LoadLocation("Asia/Taipei")
	tests := []struct {
		in, rhythm string
		until      string // RFC 3339, "" for none
		runs       int
		ok         bool
	}{
		{"daily 09:00", "daily 09:00", "", 0, true},
		{"daily 09:00 until 2026-12-31", "daily 09:00", "2026-12-31T15:59:59Z", 0, true},
		{"Weekdays 18:30 10 times", "Weekdays 18:30", "", 10, true},
		{"0 9 * * 1 1 time", "0 9 * * 1", "", 1, true},
		{"daily 09:00 until New Year", "daily 09:00", "", 0, false},
		{"daily 09:00 0 times", "daily 09:00", "", 0, false},
		{"每天 09:00 10次", "每天 09:00", "", 10, true},
		{"每天 09:00 10 次", "每天 09:00", "", 10, true},
		{"毎日 9:00 10回", "毎日 9:00", "", 10, true},
		{"毎週金曜日 17:30 １２回", "毎週金曜日 17:30", "", 12, true},
		{"每天 09:00 0次", "每天 09:00", "", 0, false},
		{"每周一次 09:00", "每周一次 09:00", "", 0, true}, // 一次 is no count: no end
	}
	for _, tt := range tests {
		rhythm, end, has := cutRecurringEnd(tt.in)
		if rhythm != tt.rhythm {
			t.Errorf("%q: rhythm %q, want %q", tt.in, rhythm, tt.rhythm)
		}
		if !has {
			continue
		}
		until, runs, ok := parseRecurringEnd(end, taipei)
		if ok != tt.ok || runs != tt.runs {
			t.Errorf("%q: runs %d ok %v, want %d %v", tt.in, runs, ok, tt.runs, tt.ok)
		}
		if tt.until != "" && until.Format(time.RFC3339) != tt.until {
			t.Errorf("%q: until %s, want %s (the end of that day in the admin's zone)", tt.in, until.Format(time.RFC3339), tt.until)
		}
	}
}

// toRecurrence walks the wizard, for a broadcast named name of text to
// every Telegram user, to the question of how it recurs.
func toRecurrence(t *testing.T, name, text string) *harness {
	t.Helper()
	h := newHarness(t)
	h.send("/new")
	h.send(name)
	h.press("ch:telegram")
	h.press(choiceDone)
	h.press(choiceDone)
	h.press("ct:text")
	h.send(text)
	h.press(choiceDone)
	h.press("tm:every")
	return h
}

func TestWizardRecurringWithAnEnd(t *testing.T) {
	h := toRecurrence(t, "Daily tip", "Tip of the day")
	mustContain(t, h.send("daily 09:00 until someday"), "I couldn't read the end")
	mustContain(t, h.send("daily 09:00 2 times"), "2 times in all", "Next: 2026-11-24 09:00 (Asia/Taipei); 2026-11-25 09:00 (Asia/Taipei)\n")
}

func TestWizardRecurringInAnotherZone(t *testing.T) {
	h := toRecurrence(t, "Tokyo morning", "Ohayō")
	mustContain(t, h.send("CRON_TZ=Asia/Nowhere 0 9 * * 1-5"), "I don't know the timezone “Asia/Nowhere”")
	// 09:00 in Tokyo is 08:00 in Taipei, the admin's zone, where the next runs are listed.
	mustContain(t, h.send("CRON_TZ=Asia/Tokyo 0 9 * * 1-5 3 times"), "weekday (Mon–Fri) at 09:00 (Asia/Tokyo time), 3 times in all",
		"Next: 2026-11-24 08:00 (Asia/Taipei)")
	h.wantStep(stepSummary) // nobody on Telegram is in an operator chat
	if got := h.session().Draft.Schedule.Cron; got != "CRON_TZ=Asia/Tokyo 0 9 * * 1-5" {
		t.Errorf("stored cron %q", got)
	}
}

// TestWizardRefusesAnEndThatHasPassed: a recurrence that ended before its
// first occurrence would be stored, then end "completed" with nothing sent;
// the wizard and the one-liner re-ask instead.
func TestWizardRefusesAnEndThatHasPassed(t *testing.T) {
	h := toRecurrence(t, "Friday wrap", "Have a good weekend")
	mustContain(t, h.send("friday 17:00 until 2026-01-01"), "That end date has already passed", "until 2027-02-23")
	if h.session().Draft.Schedule.Kind != "" {
		t.Errorf("the ended recurrence was kept: %+v", h.session().Draft.Schedule)
	}
	mustContain(t, h.send("friday 17:00 until 2026-12-31"), "until 2026-12-31")
}
