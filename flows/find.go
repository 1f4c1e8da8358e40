package flows

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
)

// People finds subscribers by name or ID, so /find answers "who is
// Alice?" as well as "which broadcast was the sale?".
type People interface {
	FindSubscribers(text string, limit int) ([]herald.Subscriber, error)
}

// stateKeys name a subscriber's state for an admin.
var stateKeys = map[herald.SubscriberState]string{
	herald.Subscribed: "find.state.subscribed", herald.Unsubscribed: "find.state.unsubscribed", herald.Blocked: "find.state.blocked",
}

// find looks for broadcasts (by name or ID) and people (by name or ID).
func (t *turn) find(args string) error {
	if args == "" {
		t.say(t.T("usage.find"))
		return nil
	}
	bs, err := t.e.cfg.Store.FindBroadcasts(args, listPage)
	if err != nil {
		return fmt.Errorf("flows: find: %w", err)
	}
	people, err := t.e.cfg.Store.FindSubscribers(args, listPage+1)
	if err != nil {
		return fmt.Errorf("flows: find people: %w", err)
	}
	if len(bs) == 0 && len(people) == 0 {
		t.say(t.T("find.none", "Text", args), t.choice("/list", t.T("btn.list")))
		return nil
	}
	if len(bs) > 0 {
		lines := []string{t.T("find.broadcasts", "Text", args)}
		var cs []Choice
		for _, x := range bs {
			lines = append(lines, t.listLine(&x))
			cs = append(cs, t.choice("/show "+x.ID, x.ID))
		}
		t.say(strings.Join(lines, "\n"), cs...)
	}
	if len(people) > 0 {
		lines := []string{t.T("find.people", "Text", args)}
		for _, p := range people[:min(len(people), listPage)] {
			lines = append(lines, "• "+t.personLine(&p))
		}
		if len(people) > listPage {
			lines = append(lines, t.T("find.more", "Count", listPage))
		}
		t.say(strings.Join(lines, "\n"))
	}
	return nil
}

// personLine is one subscriber as an admin looks them up: name, channel
// and ID, state, last message, tags.
func (t *turn) personLine(s *herald.Subscriber) string {
	name := s.Name
	if name == "" {
		name = t.T("find.no_name")
	}
	if s.Kind == herald.KindGroup {
		name = t.T("find.group", "Name", name)
	}
	state := string(s.State)
	if key, ok := stateKeys[s.State]; ok {
		state = t.T(key)
	}
	parts := []string{name + " — " + PlatformName(s.Platform) + " " + s.ID, state}
	if s.OperatorChat {
		parts = append(parts, t.T("find.operator"))
	}
	if s.LastInteraction.IsZero() {
		parts = append(parts, t.T("find.never_wrote"))
	} else {
		parts = append(parts, t.T("find.last_seen", "When", t.when(s.LastInteraction)))
	}
	if len(s.Tags) > 0 {
		parts = append(parts, t.T("find.tags", "Tags", t.joinList(s.Tags)))
	} else {
		parts = append(parts, t.T("find.no_tags"))
	}
	return strings.Join(parts, " · ")
}
