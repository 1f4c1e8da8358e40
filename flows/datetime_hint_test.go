package flows

import (
	"strings"
	"testing"
)

// The date-time questions, and only they, carry a hint for pickers:
// prefilled with the example the prompt shows, in the zone the answer is
// read in, while still waiting for typed text.
func TestDateTimeQuestionsCarryAPickerHint(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepTiming)
	example := t0.In(h.cfg.Location).AddDate(0, 0, 1).Format("2006-01-02") + " 09:00"
	last := func(rs []Reply) Reply { return rs[len(rs)-1] }

	r := last(h.press("tm:at"))
	if r.DateTime == nil || *r.DateTime != (DateTimeHint{Initial: example, Zone: "Asia/Taipei"}) ||
		r.Expect != ExpectText || !strings.Contains(r.Text, example) {
		t.Fatalf("at a date and time: %+v %+v", r, r.DateTime)
	}
	if r = last(h.send("next week")); r.DateTime == nil || !strings.Contains(r.Text, "I couldn't read that time") {
		t.Fatalf("asked again after a mistake without pickers: %+v", r)
	}
	h.press(choiceBack)
	if r = last(h.press("tm:user")); r.DateTime == nil || r.DateTime.Zone != "" || r.DateTime.Initial != example {
		t.Fatalf("each person's own time: %+v %+v", r, r.DateTime)
	}
	h.press(choiceBack)
	if r = last(h.press("tm:every")); r.DateTime != nil {
		t.Fatalf("a rhythm is not a date-time: %+v", r.DateTime)
	}
}
