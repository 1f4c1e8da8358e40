package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald/dispatch/line/linetest"
)

// The summary says what a broadcast takes of LINE's monthly quota, read
// from the LINE fake through the real sender, and Confirm refuses one that
// would run over it with the numbers.
func TestSummaryShowsAndConfirmEnforcesLINEQuota(t *testing.T) {
	sender, fake := linetest.Sender(t)
	fake.SetQuota(10)
	h := newHarness(t, func(c *Config) { c.Quota = sender })
	h.walkTo("")
	got := joined(h.do(Input{Choice: "wiz:again"}))
	if !strings.Contains(got, "📨 LINE quota: this broadcast uses 6 of the 10 messages left this month (0 of 10 used).") {
		t.Fatalf("summary with a roomy quota:\n%s", got)
	}

	fake.SetQuota(5)
	mustContain(t, h.do(Input{Choice: "wiz:again"}), "⛔ LINE quota: this broadcast needs 6 messages but only 5 are left this month (0 of 5 used).")
	mustContain(t, h.press("sum:confirm"), "This broadcast needs 6 LINE messages but only 5 are left this month (0 of 5 used).")
	h.wantStep(stepSummary)
	if bs := h.mustList(); len(bs) != 0 {
		t.Errorf("a broadcast over the quota was saved: %+v", bs)
	}

	fake.SetQuota(6)
	h.press("sum:confirm")
	if bs := h.mustList(); len(bs) != 1 {
		t.Errorf("a broadcast that fits the quota exactly: %d saved, want 1", len(bs))
	}
}
