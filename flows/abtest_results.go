package flows

import (
	"fmt"
	"math"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

// An A/B test's results as the admin chats read them: the decision posted
// when the test's time comes (ABReply), and /show of a test whose variants
// went out.

// ABReply is an A/B test's decision as its chat reads it: the variants
// side by side (delivered, tapped or clicked, the rate), then the winner
// sent to the rest, or, nobody having tapped, a button per variant to
// pick one. The admin chats post it when the test's time comes.
func ABReply(loc *locales.Localizer, e *herald.ABDecided) Reply {
	lines := abResults(loc, &e.Test, e.Results, e.Winner)
	var cs []Choice
	switch {
	case e.Winner == 0:
		lines = append(lines, loc.T("abtest.ask"))
		cs = abPicks(loc, &e.Test)
	case e.By == "system":
		lines = append(lines, loc.T("abtest.won", "Letter", herald.VariantLetter(e.Winner), "Rest", e.Rest.ID))
	default:
		lines = append(lines, loc.T("abtest.picked", "Letter", herald.VariantLetter(e.Winner), "Rest", e.Rest.ID))
	}
	if e.Rest.ID != "" {
		cs = append(cs, Choice{ID: "/show " + e.Rest.ID, Label: loc.T("btn.show")})
	}
	return Reply{Text: strings.Join(lines, "\n"), Choices: cs}
}

// abResults are test b's variants side by side: a title, then a line
// each (delivered, tapped or clicked, the rate), the winner marked.
func abResults(loc *locales.Localizer, b *herald.Broadcast, rs []herald.VariantResult, winner int) []string {
	lines := []string{loc.T("abtest.title", "Name", b.Name, "ID", b.ID)}
	for i, r := range rs {
		line := loc.T("abtest.line", "Letter", herald.VariantLetter(i+1), "ID", r.BroadcastID,
			"Delivered", FormatCount(r.Delivered), "Responded", FormatCount(r.Responded),
			"Rate", FormatPercent(math.Round(r.Rate()*1000)/10))
		if i+1 == winner {
			line += " 🏆"
		}
		lines = append(lines, line)
	}
	return lines
}

// abPicks are a button per variant of test b, each sending it to the rest.
func abPicks(loc *locales.Localizer, b *herald.Broadcast) []Choice {
	var cs []Choice
	for i := range b.Test.N() {
		l := herald.VariantLetter(i + 1)
		cs = append(cs, Choice{ID: "/pick " + b.ID + " " + l, Label: loc.T("btn.ab.pick", "Letter", l)})
	}
	return cs
}

// abShown is what /show adds for a test whose variants went out: the
// results so far side by side, and, until a winner is picked, a button per
// variant to pick one now.
func (m *manager) abShown(b *herald.Broadcast) (string, []Choice, error) {
	if b.Test == nil || len(b.Test.Children) == 0 {
		return "", nil, nil
	}
	rs, err := m.svc.TestResults(b)
	if err != nil {
		return "", nil, fmt.Errorf("flows: results of %s: %w", b.ID, err)
	}
	var cs []Choice
	if b.Test.Winner == 0 && !b.Test.Done {
		cs = abPicks(m.t.loc, b)
	}
	lines := abResults(m.t.loc, b, rs, b.Test.Winner)
	if line := m.t.abState(b.Test); line != "" {
		lines = append(lines, line)
	}
	if b.Test.Rest != "" {
		cs = append(cs, m.t.choice("/show "+b.Test.Rest, m.t.T("btn.show")))
	}
	return "\n" + strings.Join(lines, "\n"), cs, nil
}

// abState is where a test whose variants went out stands, under its
// results: its winner and how it was picked, the rest it went to, or what
// it waits for.
func (t *turn) abState(test *herald.ABTest) string {
	letter := herald.VariantLetter(test.Winner)
	switch {
	case test.Winner != 0 && (test.PickedByRule() || test.By == ""):
		return t.T("abtest.shown.won", "Letter", letter, "Rest", test.Rest)
	case test.Winner != 0:
		return t.T("abtest.shown.picked", "Letter", letter, "Rest", test.Rest)
	case test.Done:
		return t.T("abtest.shown.called_off")
	case test.WaitingForPick():
		return t.T("abtest.ask")
	case !test.DecideAt.IsZero():
		return t.T("abtest.shown.waiting", "When", t.when(test.DecideAt))
	}
	return ""
}
