package flows

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

func askAudience(t *turn) error {
	d := &t.sess.Draft
	text, err := t.audienceQuestion("wizard.audience.ask")
	if err != nil {
		return err
	}
	if t.unchanged { // the press changed nothing: say so where the step is redrawn
		text = "ℹ️ " + t.T("wizard.nothing_changed") + "\n\n" + text
	}
	cs, err := t.recipientKindChoices(&d.Audience)
	if err != nil {
		return err
	}
	cs = append(cs,
		t.choice("aud:all", t.T("aud.everyone")),
		t.choice("aud:tags", t.T("aud.include")))
	if len(d.Audience.IncludeTags) > 1 {
		label := t.T("aud.match_any")
		if d.Audience.TagMatch == herald.AllTags {
			label = t.T("aud.match_all")
		}
		cs = append(cs, t.choice("aud:match", label))
	}
	cs = append(cs,
		t.choice("aud:excl", t.T("aud.exclude")),
		t.choice("aud:act", t.T("aud.activity")),
		t.choice("aud:attr", t.T("aud.attr")),
		t.choice("aud:tapped", t.T("aud.tapped")),
		t.choice("aud:csv", t.T("aud.csv")),
		t.choice("aud:sample", t.T("aud.sample")),
		t.choice(choiceDone, t.T("btn.continue")))
	t.promptReply(Reply{Text: text, Expect: ExpectText, Choices: cs, Edit: t.pressedToggle()})
	return nil
}

// audienceTargets map the audience step's buttons that only open a
// sub-step to that step.
var audienceTargets = map[string]string{
	"aud:tags": stepAudTags, "aud:excl": stepAudExclude, "aud:act": stepAudActivity,
	"aud:attr": stepAudAttr, "aud:csv": stepAudCSV,
}

func handleAudience(t *turn) error {
	a := &t.sess.Draft.Audience
	if step, ok := audienceTargets[t.pressed()]; ok {
		return t.goTo(step)
	}
	if id, ok := strings.CutPrefix(t.pressed(), choiceRetarget); ok {
		return t.pickRetarget(id)
	}
	if k, ok := strings.CutPrefix(t.pressed(), "rk:"); ok {
		return t.pickRecipientKind(herald.RecipientKind(k))
	}
	switch t.pressed() {
	case "aud:all":
		all := everyoneOn(a)
		t.unchanged = reflect.DeepEqual(*a, all)
		*a = all
		t.toggled = true
		return t.ask()
	case "aud:match":
		if a.TagMatch == herald.AllTags {
			a.TagMatch = herald.AnyTag
		} else {
			a.TagMatch = herald.AllTags
		}
		t.toggled = true
		return t.ask()
	case "aud:tapped":
		return t.askRetarget()
	case "aud:sample":
		if d := &t.sess.Draft; d.Test != nil {
			return t.fail(t.T("err.sample.ab"))
		}
		return t.goTo(stepAudSample)
	case choiceDone:
		return t.audienceDone()
	case "":
		// Power users may type the targeting: "tag:vip,-tag:churned active:30d".
		if t.in.File != nil {
			return t.goToWith(stepAudCSV)
		}
		p := &lineParser{src: t.text()}
		terms, perr := p.audienceTerms()
		if perr != nil {
			return t.fail(t.sentences(t.T(perr.Key, perr.Args...), t.T("err.audience.example")))
		}
		if perr, err := t.resolveTerms(a, terms); err != nil || perr != nil {
			if err != nil {
				return err
			}
			return t.fail(t.sentences(t.T(perr.Key, perr.Args...), t.T("err.audience.example")))
		}
		return t.ask()
	}
	return t.fail(t.T("err.pick_choice"))
}

// pickRecipientKind ticks people, group chats or both, redrawn in place.
func (t *turn) pickRecipientKind(rk herald.RecipientKind) error {
	a := &t.sess.Draft.Audience
	if _, ok := recipientKeys[rk]; !ok || rk == "" {
		return t.fail(t.T("err.pick_choice"))
	}
	t.unchanged = a.Recipients == rk
	a.Recipients = rk
	t.toggled = true
	return t.ask()
}

// audienceQuestion is a question about the draft's audience (its message
// key) over who it targets now and the live count.
func (t *turn) audienceQuestion(key string) (string, error) {
	d := &t.sess.Draft
	_, cntText, err := t.liveCount(d)
	if err != nil {
		return "", err
	}
	return t.T(key) + "\n\n" + t.describeAudience(ownAudience(d)) + "\n" + cntText, nil
}

// audienceDone leaves the audience step, unless nobody is in it.
func (t *turn) audienceDone() error {
	cnt, err := t.count(&t.sess.Draft)
	if err != nil {
		return err
	}
	if cnt.Total == 0 {
		return t.fail(t.T("err.audience.empty"))
	}
	return t.sectionDone(stepContentKind)
}

// goToWith moves to step and lets it handle the current input (an upload
// sent straight to the audience menu).
func (t *turn) goToWith(step string) error {
	t.sess.History = append(t.sess.History, t.sess.Step)
	t.sess.Step = step
	st, _ := stepFor(step)
	return st.handle(t)
}

func (t *turn) count(d *herald.Broadcast) (herald.Count, error) {
	if len(d.Audience.Channels) == 0 {
		return herald.Count{}, nil
	}
	cat := d.Category
	if cat == "" {
		cat = herald.Marketing
	}
	c, err := t.e.cfg.Store.Count(&d.Audience, cat, t.now)
	if err != nil {
		return c, fmt.Errorf("flows: count audience: %w", err)
	}
	return c, nil
}

// countText is the live count with its breakdown.
func (t *turn) countText(d *herald.Broadcast, c herald.Count) string {
	var parts []string
	for _, p := range d.Audience.Channels {
		if !t.e.multiAccount(p) {
			parts = append(parts, PlatformName(p)+" "+FormatCount(c.ByPlatform[p]))
			continue
		}
		for _, acc := range t.e.accountsOn(p) { // "LINE · Shop 120 · LINE · Support 80"
			if d.Audience.TakesAccount(acc.Account) {
				parts = append(parts, t.e.accountLabel(acc.Account)+" "+FormatCount(c.OfAccount(acc.Account)))
			}
		}
	}
	var s string
	if sm := d.Audience.Sample; sm != nil {
		s = t.sampleCount(sm, c) + "\n"
	}
	s += t.N("count.total", c.Total, "Total", FormatCount(c.Total), "Platforms", strings.Join(parts, " · "),
		"Users", FormatCount(c.Users), "Groups", FormatCount(c.Groups))
	if c.OutsideWindow > 0 && d.Category != herald.NonMarketing {
		s += "\n" + t.N("count.outside_window", c.OutsideWindow, "Count", FormatCount(c.OutsideWindow))
		if c.NeverWrote > 0 {
			s = t.sentences(s, t.N("count.never_wrote", c.NeverWrote, "Count", FormatCount(c.NeverWrote)))
		}
	}
	return s
}

// ownAudience is d's audience as the admin chose it: without the sample
// of variant A an A/B test puts there (the test's line says the split).
func ownAudience(d *herald.Broadcast) *herald.Audience {
	if d.Test == nil {
		return &d.Audience
	}
	a := d.Audience
	a.Sample = nil
	return &a
}

// describeAudience says who is targeted, one criterion per line.
func (t *turn) describeAudience(a *herald.Audience) string {
	var lines []string
	if len(a.IncludeTags) > 0 {
		key := "aud.desc.include_any"
		if a.TagMatch == herald.AllTags {
			key = "aud.desc.include_all"
		}
		lines = append(lines, t.T(key, "Tags", t.joinList(a.IncludeTags)))
	}
	if len(a.ExcludeTags) > 0 {
		lines = append(lines, t.T("aud.desc.exclude", "Tags", t.joinList(a.ExcludeTags)))
	}
	if f := a.Activity; f != nil {
		key := "aud.desc.active"
		if f.Op == herald.InactiveFor {
			key = "aud.desc.inactive"
		}
		lines = append(lines, t.N(key, int(f.Period/(24*time.Hour))))
	}
	for _, c := range a.Attributes {
		lines = append(lines, t.T("aud.desc.attr", "Cond", attrString(c)))
	}
	lines = append(lines, t.describeResponses(a)...)
	if len(a.Selected) > 0 {
		lines = append(lines, t.N("aud.desc.selected", len(a.Selected), "Platform", t.selectedPlatforms(a)))
	}
	if len(lines) == 0 {
		lines = append(lines, t.T("aud.desc.everyone"))
	}
	if a.Sample != nil {
		lines = append(lines, t.describeSample(a.Sample))
	}
	return "• " + strings.Join(lines, "\n• ")
}

func attrString(c herald.AttrCondition) string {
	switch c.Op {
	case herald.AttrExists:
		return c.Key + " exists"
	case herald.AttrMissing:
		return c.Key + " missing"
	}
	return c.Key + " " + attrOpSymbols[c.Op] + " " + c.Value
}

var attrOpSymbols = map[herald.AttrOp]string{
	herald.AttrEq: "=", herald.AttrNe: "!=", herald.AttrContains: "~", herald.AttrGt: ">", herald.AttrLt: "<",
}
