package telegram

import (
	"testing"
)

// TestTurnsForASimpleBroadcastInTelegram counts Alice's inputs from /new
// to Confirm for the simplest broadcast (a name, LINE, everyone, a text,
// no buttons, now) in the admin group, pressing buttons or typing one line
// at the channel step. Issue #21 wants 8 or fewer.
func TestTurnsForASimpleBroadcastInTelegram(t *testing.T) {
	for _, c := range []struct {
		name  string
		typed bool
		want  int
	}{{"buttons", false, 9}, {"typed line", true, 7}} {
		t.Run(c.name, func(t *testing.T) {
			r := newAdminRig(t)
			turns := 0
			send := func(text, replyTo string) {
				turns++
				if replyTo == "" {
					r.push(r.message(alice, text, nil))
					return
				}
				r.push(r.message(alice, text, ptr(r.last(replyTo))))
			}
			press := func(want, data string) { turns++; r.press(alice, r.last(want), data) }
			send("/new", "")
			send("Winter sale", "Step 1")
			if c.typed {
				send("everyone on line", "Step 2")
			} else {
				press("Step 2", "ch:line")
				press("Step 2", "done")
				press("Step 4", "done") // everyone, as shown; no group chat stored, so no people-or-groups question
			}
			send("Hi {name|there}!", "Step 5") // typed text is a text message
			press("Step 6", "done")            // no buttons
			press("Step 7", "tm:now")          // nobody is in an operator chat: no question
			press("Summary of", "sum:confirm")
			r.last("goes out to 3 recipients")
			t.Logf("turns from /new to Confirm: %d", turns)
			if turns != c.want {
				t.Errorf("a simple broadcast takes %d turns in Telegram; it took %d when this was measured", turns, c.want)
			}
		})
	}
}
