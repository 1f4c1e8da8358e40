package flows

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
)

// Retargeting in the audience step: besides typing tapped:B-7K2Q, the
// admin can press "Tapped a past broadcast" and pick one of the recent
// broadcasts somebody tapped or clicked, with how many did.

// maxRetargetChoices bounds the broadcasts offered; others can be typed.
const maxRetargetChoices = 5

// retargetScan is how many recent broadcasts are looked at for taps.
const retargetScan = 30

// choiceRetarget prefixes a picked broadcast's ID.
const choiceRetarget = "aud:tap:"

// retargetCandidate is a past broadcast with people who pressed a button.
type retargetCandidate struct {
	b      herald.Broadcast
	people int // unique tappers plus unique clickers, summed over buttons
}

// retargetCandidates lists the recent broadcasts whose buttons somebody
// tapped or clicked, newest first.
func (t *turn) retargetCandidates() ([]retargetCandidate, error) {
	list, err := t.e.cfg.Store.ListBroadcasts(herald.BroadcastQuery{
		Statuses: []herald.Status{herald.StatusCompleted, herald.StatusSending, herald.StatusPaused}, Limit: retargetScan})
	if err != nil {
		return nil, fmt.Errorf("flows: list broadcasts to retarget: %w", err)
	}
	var out []retargetCandidate
	for _, b := range list {
		if len(b.Content.ButtonsAndLinks()) == 0 || b.ID == t.sess.Draft.ID {
			continue
		}
		n := 0
		for _, read := range []func(string) ([]herald.TapCount, error){t.e.cfg.Store.Taps, t.e.cfg.Store.Clicks} {
			counts, err := read(b.ID)
			if err != nil {
				return nil, fmt.Errorf("flows: responses of %s: %w", b.ID, err)
			}
			for _, c := range counts {
				n += c.Unique
			}
		}
		if n > 0 {
			out = append(out, retargetCandidate{b: b, people: n})
		}
		if len(out) == maxRetargetChoices {
			break
		}
	}
	return out, nil
}

// askRetarget lists the broadcasts to retarget as choices of the audience
// step (handleAudience takes the pick).
func (t *turn) askRetarget() error {
	cands, err := t.retargetCandidates()
	if err != nil {
		return err
	}
	if len(cands) == 0 {
		t.prompt(t.T("wizard.tapped.none"), ExpectText, t.choice("wiz:again", t.T("btn.back")))
		return nil
	}
	cs := make([]Choice, 0, len(cands)+1)
	for _, c := range cands {
		cs = append(cs, t.choice(choiceRetarget+c.b.ID, t.N("aud.tapped.pick", c.people,
			"ID", c.b.ID, "Name", c.b.Name, "Count", FormatCount(c.people))))
	}
	cs = append(cs, t.choice("wiz:again", t.T("btn.back")))
	t.prompt(t.T("wizard.tapped.ask"), ExpectText, cs...)
	return nil
}

// pickRetarget adds "tapped a button of" the picked broadcast.
func (t *turn) pickRetarget(id string) error {
	terms := []term{{response: &herald.Response{BroadcastID: id}}}
	perr, err := t.resolveTerms(&t.sess.Draft.Audience, terms)
	if err != nil {
		return err
	}
	if perr != nil {
		return t.fail(t.T(perr.Key, perr.Args...))
	}
	return t.ask()
}

// describeResponses is one line per retarget term, naming the button by
// its label when the broadcast still has it.
func (t *turn) describeResponses(a *herald.Audience) []string {
	var lines []string
	for _, r := range a.Responses {
		key := map[[2]bool]string{
			{false, false}: "aud.desc.tapped", {true, false}: "aud.desc.not_tapped",
			{false, true}: "aud.desc.tapped_button", {true, true}: "aud.desc.not_tapped_button",
		}[[2]bool{r.Not, r.ButtonID != ""}]
		args := []any{"ID", r.BroadcastID}
		if r.ButtonID != "" {
			label := r.ButtonID
			if b, err := t.e.cfg.Store.Broadcast(r.BroadcastID); err == nil {
				for _, btn := range b.Content.ButtonsAndLinks() {
					if btn.ID == r.ButtonID {
						label = btn.Label
					}
				}
			}
			args = append(args, "Button", strings.TrimSpace(label))
		}
		lines = append(lines, t.T(key, args...))
	}
	return lines
}
