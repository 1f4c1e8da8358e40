package telegram

import (
	"testing"

	"github.com/heraldbot/herald/handlers/internal/flowsrig"
)

// adminChat is Alice in the rig's admin group, replying to the prompt.
type adminChat struct{ r *adminRig }

func (c adminChat) Type(text, prompt string) {
	if prompt == "" {
		c.r.push(c.r.message(alice, text, nil))
		return
	}
	c.r.push(c.r.message(alice, text, ptr(c.r.last(prompt))))
}

func (c adminChat) Press(prompt, value string) { c.r.press(alice, c.r.last(prompt), value) }

// TestTurnsForASimpleBroadcastInTelegram: 12 inputs on the same path
// before this change; issue #21 wants 8 or fewer.
func TestTurnsForASimpleBroadcastInTelegram(t *testing.T) {
	for typed, want := range map[bool]int{false: 8, true: 6} {
		r := newAdminRig(t)
		turns := flowsrig.SimpleBroadcastTurns(adminChat{r}, typed)
		r.last("goes out to 3 recipients")
		t.Logf("turns from /new to Confirm (typed line: %v): %d", typed, turns)
		if turns != want {
			t.Errorf("a simple broadcast takes %d turns in Telegram (typed line: %v); it took %d when this was measured", turns, typed, want)
		}
	}
}
