package slack

import (
	"strings"
	"testing"
)

// TestAButtonThatChangesNothingUpdatesInPlace: "👥 Everyone" when the
// audience already is everyone updates the step in place to say nothing
// changed; pressed again, it still posts nothing.
func TestAButtonThatChangesNothingUpdatesInPlace(t *testing.T) {
	r := newRig(t)
	r.toAudience(alice, "Winter sale")
	step4 := r.last("Step 3")
	before := len(r.fake.Messages(channel))
	for range 2 {
		r.press(alice, r.message(step4.TS), "aud:all")
		if msgs := r.fake.Messages(channel); len(msgs) != before {
			t.Fatalf("pressing Everyone again posted %d messages: %q", len(msgs)-before, msgs[len(msgs)-1].Text)
		}
	}
	m := r.message(step4.TS)
	if m.Updates != 2 || !strings.Contains(m.Blocks, "Nothing changed") || !strings.Contains(m.Blocks, `"value":"aud:all"`) {
		t.Fatalf("step 4 was not updated in place to say nothing changed: updates=%d %s", m.Updates, m.Blocks)
	}
}
