package flows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
)

// broadcastArg reads the ID argument, explaining when it is missing or
// unknown. ok is false when a reply already says what went wrong.
func (t *turn) broadcastArg(cmd, arg string) (herald.Broadcast, bool, error) {
	first, _, _ := strings.Cut(strings.TrimSpace(arg), " ")
	id := herald.NormalizeBroadcastID(first)
	switch {
	case id == "" && first == "":
		t.say(t.T("usage.id", "Command", cmd), t.choice("/list", t.T("btn.list")))
		return herald.Broadcast{}, false, nil
	case id == "": // "/show B-1": an ID was typed, not one Herald makes
		t.say(t.T("err.not_an_id", "Text", first), t.choice("/list", t.T("btn.list")))
		return herald.Broadcast{}, false, nil
	}
	b, err := t.e.cfg.Store.Broadcast(id)
	if errors.Is(err, herald.ErrNotFound) {
		t.say(t.T("err.not_found", "ID", id), t.choice("/list", t.T("btn.list")))
		return b, false, nil
	}
	if err != nil {
		return b, false, fmt.Errorf("flows: load %s: %w", id, err)
	}
	if acc, bad := t.deniedAccount(&b.Audience); bad { // a restricted admin's view stops at their accounts
		t.say(t.denied(acc), t.choice("/list", t.T("btn.list")))
		return b, false, nil
	}
	return b, true, nil
}
