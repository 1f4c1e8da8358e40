package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// A Japanese admin types the time at the timing step itself ("明日 9:00"
// answers "at a time"), and every line the wizard builds from parts reads
// as Japanese: no half-width ";", "," or space between sentences.
func TestWizardJapaneseTypedTimeAndPunctuation(t *testing.T) {
	h := newHarness(t)
	h.send("/lang ja")
	h.send("/new")
	h.send("冬のセール")
	h.press("ch:line")
	h.press("ch:telegram")
	h.press(choiceDone)
	h.press(choiceDone)
	h.press("ct:text")
	mustContain(t, h.send("{name}さん、セール開始！https://shop.example/winter"), "記録されます。リンクのクリック")
	h.press(choiceDone)
	h.wantStep(stepTiming)
	h.send("明日 9:00")
	if h.step() == stepOperator {
		h.press("op:hold")
	}
	h.wantStep(stepSummary)
	if want := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC); h.session().Draft.Schedule.Kind != herald.SendAt || !h.session().Draft.Schedule.At.Equal(want) {
		t.Errorf("schedule = %+v, want at %v", h.session().Draft.Schedule, want)
	}
	h.press("ed:timing")
	h.press("tm:every")
	h.send("毎週金曜日 17:30 10 times")
	rs := h.press("op:hold")
	mustContain(t, rs, "、全 10 回", "（Asia/Taipei）；2026-12-04")
	for _, half := range []string{"; ", ", 全", "。 "} {
		if s := joined(rs); strings.Contains(s, half) {
			t.Errorf("half-width %q in the Japanese summary:\n%s", half, s)
		}
	}
	h.golden("wizard_ja_typed_time")
}

// The timing step takes a typed date in English too, and Back from the
// time it answered returns to the timing step.
func TestWizardTimingStepTakesATypedDate(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepTiming)
	h.send("tomorrow 9am")
	h.wantStep(stepOperator)
	if want := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC); !h.session().Draft.Schedule.At.Equal(want) {
		t.Errorf("schedule = %+v, want at %v", h.session().Draft.Schedule, want)
	}
	h.press(choiceBack)
	h.wantStep(stepAt)
	h.press(choiceBack)
	h.wantStep(stepTiming)
	mustContain(t, h.send("soon please"), "Please press one of the buttons")
}
