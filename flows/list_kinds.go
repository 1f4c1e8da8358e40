package flows

import (
	"github.com/heraldbot/herald"
)

// listKind is a kind of broadcast /list can show alone, beside its
// status filters: the word that asks for it, its label on buttons and in
// the title, and which broadcasts are of that kind for the admin asking.
type listKind struct {
	word  string
	label string // message key
	empty string // message key: a sentence saying there are none
	is    func(t *turn, b *herald.Broadcast) bool
}

// listKinds are offered as buttons under /list, in this order.
var listKinds = []listKind{
	{"oneoff", "list.kind.oneoff", "list.empty_kind.oneoff", func(_ *turn, b *herald.Broadcast) bool { return b.Schedule.Kind != herald.SendRecurring }},
	{"recurring", "list.kind.recurring", "list.empty_kind.recurring", func(_ *turn, b *herald.Broadcast) bool { return b.Schedule.Kind == herald.SendRecurring }},
	{"api", "list.kind.api", "list.empty_kind.api", func(_ *turn, b *herald.Broadcast) bool { return b.Origin.Frontend == "api" }},
	{"approve", "list.kind.approve", "list.empty_kind.approve", func(t *turn, b *herald.Broadcast) bool {
		return b.Status == herald.StatusPending && b.CreatedBy != t.actor && b.UpdatedBy != t.actor &&
			t.e.cfg.Access.MayApprove(t.in.Frontend, t.in.UserID)
	}},
}

// listKindWords are the other words people type for a kind.
var listKindWords = map[string]string{
	"one-off": "oneoff", "once": "oneoff", "repeating": "recurring", "repeat": "recurring",
	"mine": "approve", "to-approve": "approve", "approval": "approve",
}

// kindOf is the kind a /list word asks for.
func kindOf(word string) (listKind, bool) {
	if w, ok := listKindWords[word]; ok {
		word = w
	}
	for _, k := range listKinds {
		if k.word == word {
			return k, true
		}
	}
	return listKind{}, false
}

// kindChoices are buttons listing one kind of broadcast (the other kinds
// than the one shown).
func (t *turn) kindChoices(shown *listKind) []Choice {
	var cs []Choice
	for _, k := range listKinds {
		if shown == nil || k.word != shown.word {
			cs = append(cs, t.choice("/list "+k.word, t.T(k.label)))
		}
	}
	return cs
}
