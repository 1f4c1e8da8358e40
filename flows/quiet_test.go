package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// withBotQuietHours gives the bot a default window, as config
// schedule.quiet_hours does.
func withBotQuietHours(c *Config) { c.QuietHours = &herald.QuietHours{Start: "22:00", End: "08:00"} }

// The timing step offers quiet hours; a custom window is typed, a bad one
// is explained in one line with an example and asked again, and the
// detour leaves Back where it was.
func TestWizardQuietHoursCustomWindow(t *testing.T) {
	h := newHarness(t, withBotQuietHours)
	h.walkTo(stepButtons)
	mustContain(t, h.press(choiceDone), "When should it go out?", "🌙 Quiet hours: bot default (22:00–08:00)")

	rs := h.press("tm:quiet")
	h.wantStep(stepQuiet)
	mustContain(t, rs, "Each person's own timezone counts (Asia/Taipei when theirs is unknown)", "Now: bot default (22:00–08:00)")
	var labels []string
	for _, c := range rs[len(rs)-1].Choices {
		labels = append(labels, c.Label)
	}
	if got := strings.Join(labels, " / "); got != "Bot default (22:00–08:00) / Off / Custom… / ⬅️ Back / ✖️ Cancel" {
		t.Errorf("quiet-hours choices = %s", got)
	}

	mustContain(t, h.press("qh:custom"), "e.g. 22:00-07:30", "may cross midnight")
	tests := []struct{ typed, want string }{
		{"22:00", "⚠️ “22:00” isn't a quiet-hours window. Write start-end in 24-hour time, e.g. 22:00-07:30."},
		{"10pm-7am", "⚠️ “10pm-7am” isn't a quiet-hours window."},
		{"07:00-7:00", "⚠️ Quiet hours need different start and end times, e.g. 22:00-07:30."},
	}
	for _, tt := range tests {
		mustContain(t, h.send(tt.typed), tt.want, "Type the quiet hours")
		h.wantStep(stepQuietCustom)
	}
	if q := h.session().Draft.Schedule.Quiet; q != nil {
		t.Errorf("a rejected window was kept: %+v", q)
	}
	mustContain(t, h.press(choiceBack), "Now: bot default (22:00–08:00)")
	h.wantStep(stepQuiet)
	h.press("qh:custom")

	rs = h.send("21:30 - 7:15")
	h.wantStep(stepTiming)
	mustContain(t, rs, "🌙 Quiet hours: 21:30–07:15 (this broadcast only)")
	// Back from timing leads where it led before the detour.
	h.press(choiceBack)
	h.wantStep(stepButtons)
	h.press(choiceDone)

	h.press("tm:now")
	mustContain(t, h.press("op:hold"), "🌙 Quiet hours: 21:30–07:15 (this broadcast only)")
	h.press("sum:confirm")
	if q := h.stored().Schedule.Quiet; q == nil || *q != (herald.QuietHours{Start: "21:30", End: "07:15"}) {
		t.Errorf("stored quiet hours %+v, want 21:30–07:15", q)
	}
}

// Off is kept when the timing is chosen afterwards, and Back from the
// quiet-hours question changes nothing.
func TestWizardQuietHoursOffSurvivesTimingChanges(t *testing.T) {
	h := newHarness(t, withBotQuietHours)
	h.walkTo(stepTiming)
	h.press("tm:quiet")
	h.press(choiceBack)
	h.wantStep(stepTiming)
	if q := h.session().Draft.Schedule.Quiet; q != nil {
		t.Errorf("Back set quiet hours %+v", q)
	}
	h.press("tm:quiet")
	mustContain(t, h.press("qh:off"), "🌙 Quiet hours: off — goes out at any hour")
	h.press("tm:at")
	h.send("2026-11-24 09:00")
	mustContain(t, h.press("op:hold"), "⏰ At 2026-11-24 09:00 (Asia/Taipei)", "🌙 Quiet hours: off — goes out at any hour")
	h.press("sum:confirm")
	b := h.stored()
	if q := b.Schedule.Quiet; q == nil || !q.Off || b.Schedule.Kind != herald.SendAt {
		t.Errorf("stored schedule %+v (quiet %+v), want at, quiet hours off", b.Schedule, q)
	}
}

// The summary's quiet-hours line has its own edit button; the setting is
// kept through a timing edit, a draft, /edit and /clone.
func TestSummaryEditsQuietHoursAndEditCloneKeepThem(t *testing.T) {
	h := newHarness(t, withBotQuietHours)
	h.walkTo("")
	rs := h.press("ed:quiet")
	h.wantStep(stepQuiet)
	mustContain(t, rs, "Now: bot default (22:00–08:00)")
	// A window typed at the question itself saves the Custom press.
	mustContain(t, h.send("23:00–06:00"), "Summary of “Winter sale”", "🌙 Quiet hours: 23:00–06:00 (this broadcast only)")
	h.wantStep(stepSummary)

	h.press("ed:timing")
	h.press("tm:every")
	h.press("rc:0 9 * * *")
	mustContain(t, h.press("op:hold"), "🔁 Repeats", "🌙 Quiet hours: 23:00–06:00 (this broadcast only)")
	h.press("sum:draft")
	b := h.stored()
	if q := b.Schedule.Quiet; q == nil || q.Start != "23:00" || q.End != "06:00" || b.Schedule.Kind != herald.SendRecurring {
		t.Fatalf("draft schedule %+v (quiet %+v)", b.Schedule, q)
	}

	mustContain(t, h.send("/edit "+b.ID), "🌙 Quiet hours: 23:00–06:00 (this broadcast only)")
	h.press("ed:quiet")
	mustContain(t, h.press("qh:default"), "🌙 Quiet hours: bot default (22:00–08:00)")
	h.press("sum:draft")
	if q := h.stored().Schedule.Quiet; q != nil {
		t.Errorf("back to the bot's default, stored %+v", q)
	}

	// "/edit ID quiet" opens the question directly (as its button would).
	mustContain(t, h.send("/edit "+b.ID+" quiet"), "🌙 Quiet hours: people whose local time is inside them")
	h.wantStep(stepQuiet)
	mustContain(t, h.send("off"), "🌙 Quiet hours: off — goes out at any hour")
	h.press("sum:draft")

	mustContain(t, h.send("/clone "+b.ID), "🌙 Quiet hours: off — goes out at any hour")
	for _, x := range h.mustList() {
		if q := x.Schedule.Quiet; q == nil || !q.Off {
			t.Errorf("%s %q: quiet hours %+v, want off", x.ID, x.Name, q)
		}
	}
}

// A one-off keeps its quiet hours when cloned, though its time is dropped.
func TestCloneOfOneOffKeepsQuietHours(t *testing.T) {
	h := newHarness(t)
	h.send(`/new "Sale" on line quiet 22:00-07:00 at 2026-12-01 09:00`)
	h.press("sum:confirm")
	b := h.stored()
	h.send("/clone " + b.ID)
	for _, x := range h.mustList() {
		if q := x.Schedule.Quiet; q == nil || *q != (herald.QuietHours{Start: "22:00", End: "07:00"}) {
			t.Errorf("%s: quiet hours %+v, want 22:00–07:00", x.ID, q)
		}
	}
}

func TestOneLineQuietHours(t *testing.T) {
	tests := []struct {
		line string
		want herald.QuietHours
		show string
	}{
		{`/new "Sale" to tag:vip on line quiet 22:00-07:00 now`, herald.QuietHours{Start: "22:00", End: "07:00"}, "🌙 Quiet hours: 22:00–07:00 (this broadcast only)"},
		{`/new "Sale" on line now quiet off`, herald.QuietHours{Off: true}, "🌙 Quiet hours: off — goes out at any hour"},
	}
	for _, tt := range tests {
		h := newHarness(t)
		mustContain(t, h.send(tt.line), "Summary of “Sale”", tt.show)
		h.press("sum:confirm")
		if q := h.stored().Schedule.Quiet; q == nil || *q != tt.want {
			t.Errorf("%s: stored quiet hours %+v, want %+v", tt.line, q, tt.want)
		}
	}

	h := newHarness(t)
	rs := h.send(`/new "Sale" on line quiet 7pm-7am now`)
	src := `/new "Sale" on line quiet 7pm-7am now`
	if want := src + "\n" + strings.Repeat(" ", strings.Index(src, "7pm")) + "^"; len(rs) < 2 || rs[0].Text != want {
		t.Errorf("caret reply %+v, want under 7pm", rs)
	}
	mustContain(t, rs, "Write quiet hours as quiet 22:00-07:00 (start-end, 24-hour, two different times) or quiet off.")
	if h.step() != "" {
		t.Errorf("a bad line opened the wizard at %q", h.step())
	}
	// /audience takes targeting words only.
	mustContain(t, h.send("/audience tag:vip quiet off"), "isn't a target I understand")
}

// A stored broadcast with a broken window (the API accepts drafts as they
// come) is stopped at Confirm with a line that says what to press.
func TestConfirmExplainsBrokenQuietHours(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	d := h.session().Draft
	d.Status, d.Schedule.Quiet = herald.StatusDraft, &herald.QuietHours{Start: "22:00", End: "22:00"}
	if err := h.store.CreateBroadcast(&d); err != nil {
		t.Fatal(err)
	}
	h.press(choiceCancel)
	h.press(choiceDiscard)
	h.send("/edit " + d.ID)
	mustContain(t, h.press("sum:confirm"), "⚠️ The quiet hours aren't valid. Press ✏️ Quiet hours and choose again.")
	h.wantStep(stepSummary)
}
