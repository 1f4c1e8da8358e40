package slack

import (
	"testing"

	"github.com/heraldbot/herald"
)

// TestTurnsForASimpleBroadcastInSlack counts Alice's inputs from /herald
// new to Confirm for the simplest broadcast (a name, LINE, everyone, a
// text, no buttons, now), pressing buttons or typing one line at the
// channel step. Issue #21 measured 15 in Slack and wants 8 or fewer.
func TestTurnsForASimpleBroadcastInSlack(t *testing.T) {
	for _, c := range []struct {
		name  string
		typed bool
		want  int
	}{{"buttons", false, 9}, {"typed line", true, 7}} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			turns := 0
			r.slash(alice, "new")
			turns++
			thread := r.last("is working with Herald").TS
			reply := func(text string) { turns++; r.reply(alice, thread, text) }
			press := func(want, value string) { turns++; r.press(alice, r.last(want), value) }
			reply("Winter sale")
			if c.typed {
				reply("everyone on line")
			} else {
				press("Step 2", "ch:line")
				press("Step 2", "done")
				press("Step 4", "done") // everyone, as shown; no group chat stored, so no people-or-groups question
			}
			r.last("Step 5")
			reply("Hi {name|there}!") // typed text is a text message
			press("Step 6", "done")   // no buttons
			press("Step 7", "tm:now") // nobody is in an operator chat: no question
			press("Summary of", "sum:confirm")
			r.last("goes out to 3 recipients")
			bs, _ := r.store.ListBroadcasts(herald.BroadcastQuery{})
			if len(bs) != 1 || bs[0].Content.Text != "Hi {name|there}!" || len(bs[0].Audience.Channels) != 1 {
				t.Fatalf("stored: %+v", bs)
			}
			t.Logf("turns from /herald new to Confirm: %d", turns)
			if turns != c.want {
				t.Errorf("a simple broadcast takes %d turns in Slack; it took %d when this was measured", turns, c.want)
			}
		})
	}
}
