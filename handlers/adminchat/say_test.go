package adminchat_test

import (
	"context"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/console"
)

// An interim message reaches the console at once; a chat of a frontend
// that is not wired is skipped without a fuss.
func TestSayPostsAtOnce(t *testing.T) {
	r := newRig(t, nil)
	r.rep.Say(context.Background(), herald.Origin{Frontend: console.Frontend, ChatID: "console"}, flows.Reply{Text: "⏳ 50000 rows"})
	r.rep.Say(context.Background(), herald.Origin{Frontend: "slack", ChatID: "C1"}, flows.Reply{Text: "nowhere"})
	if got := r.shown(); len(got) != 1 || got[0] != "⏳ 50000 rows" {
		t.Errorf("console shows %q", got)
	}
}
