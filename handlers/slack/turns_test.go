package slack

import (
	"testing"

	"github.com/heraldbot/herald/handlers/internal/flowsrig"
)

// slackChat is Alice in the rig's channel: /herald new starts a thread,
// and every later line is a reply in it.
type slackChat struct {
	r      *rig
	thread string
}

func (c *slackChat) Type(text, _ string) {
	if text == "/new" {
		c.r.slash(alice, "new")
		c.thread = c.r.last("is working with Herald").TS
		return
	}
	c.r.reply(alice, c.thread, text)
}

func (c *slackChat) Press(prompt, value string) { c.r.press(alice, c.r.last(prompt), value) }

// TestTurnsForASimpleBroadcastInSlack: issue #21 measured 15 inputs in
// Slack (12 on the same path before this change) and wants 8 or fewer.
func TestTurnsForASimpleBroadcastInSlack(t *testing.T) {
	for typed, want := range map[bool]int{false: 8, true: 6} {
		r := newRig(t)
		turns := flowsrig.SimpleBroadcastTurns(&slackChat{r: r}, typed)
		r.last("goes out to 3 recipients")
		t.Logf("turns from /herald new to Confirm (typed line: %v): %d", typed, turns)
		if turns != want {
			t.Errorf("a simple broadcast takes %d turns in Slack (typed line: %v); it took %d when this was measured", turns, typed, want)
		}
	}
}
