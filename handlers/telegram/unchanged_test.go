package telegram

import (
	"strings"
	"testing"
)

// TestAButtonThatChangesNothingEditsInPlace: "👥 Everyone" when the
// audience already is everyone edits the step in place to say nothing
// changed, and a second press (Telegram: "message is not modified") posts
// nothing either.
func TestAButtonThatChangesNothingEditsInPlace(t *testing.T) {
	r := newAdminRig(t)
	r.push(r.message(alice, "/new", nil))
	r.push(r.message(alice, "Winter sale", ptr(r.last("Step 1"))))
	r.press(alice, r.last("Step 2"), "ch:line")
	r.press(alice, r.last("Step 2"), "done")
	step4 := r.last("Step 3")
	before := len(r.sent())
	for range 2 {
		r.press(alice, r.message1(step4.MessageID), "aud:all")
		if n := len(r.sent()); n != before {
			t.Fatalf("pressing Everyone again posted %d messages: %q", n-before, r.sent()[n-1].Text)
		}
	}
	m := r.message1(step4.MessageID)
	if m.Edits != 1 || !strings.Contains(m.Text, "Nothing changed") || !strings.Contains(m.ReplyMarkup, "aud:all") {
		t.Fatalf("step 4 was not edited in place to say nothing changed: edits=%d %q %s", m.Edits, m.Text, m.ReplyMarkup)
	}
	r.press(alice, m, "done") // the wizard goes on from the edited message
	r.last("Step 4")
}
