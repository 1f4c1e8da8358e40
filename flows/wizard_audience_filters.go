package flows

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/heraldbot/herald"
)

// maxTagChoices bounds the tag buttons; more tags can be typed.
const maxTagChoices = 16

// tagsHere counts the most common tags (a few times as many as the menu
// shows) on the chosen channels, counted as the audience is, so "vip
// (228)" matches "228 recipients" beside it; most first.
func (t *turn) tagsHere(tags []herald.TagCount) []herald.TagCount {
	here := make([]herald.TagCount, 0, min(len(tags), 3*maxTagChoices))
	for _, tc := range tags[:min(len(tags), 3*maxTagChoices)] {
		here = append(here, t.tagHere(tc.Tag))
	}
	slices.SortStableFunc(here, func(x, y herald.TagCount) int { return y.Count - x.Count })
	return here
}

// tagHere counts who has tag among the draft's channels and recipients; a
// failed count shows 0 (the audience count beside it reports the error).
func (t *turn) tagHere(tag string) herald.TagCount {
	a := &t.sess.Draft.Audience
	alone := herald.Broadcast{Category: t.sess.Draft.Category, Audience: everyoneOn(a)}
	alone.Audience.IncludeTags = []string{tag}
	n, _ := t.count(&alone)
	return herald.TagCount{Tag: tag, Count: n.Total}
}

func askTagPick(t *turn) error {
	a := &t.sess.Draft.Audience
	picked, key := a.IncludeTags, "wizard.tags.include"
	if t.sess.Step == stepAudExclude {
		picked, key = a.ExcludeTags, "wizard.tags.exclude"
	}
	tags := t.e.cfg.Store.Tags()
	t.sess.Tags = t.sess.Tags[:0]
	var cs []Choice
	offer := func(tc herald.TagCount) {
		t.sess.Tags = append(t.sess.Tags, tc.Tag)
		id := "t:" + strconv.Itoa(len(t.sess.Tags)-1)
		cs = append(cs, Choice{ID: id, Label: t.T("aud.tag_count", "Tag", tc.Tag, "Count", FormatCount(tc.Count)), Checked: slices.Contains(picked, tc.Tag)})
	}
	here := t.tagsHere(tags)
	for i, tc := range here {
		if i == maxTagChoices || tc.Count == 0 {
			break
		}
		offer(tc)
	}
	// Tags picked earlier or typed stay visible, so they can be unticked.
	for _, tag := range picked {
		if !slices.Contains(t.sess.Tags, tag) {
			i := slices.IndexFunc(here, func(tc herald.TagCount) bool { return tc.Tag == tag })
			if i < 0 {
				offer(t.tagHere(tag))
			} else {
				offer(here[i])
			}
		}
	}
	text := t.T(key)
	switch {
	case len(tags) == 0:
		text += "\n" + t.T("wizard.tags.none")
	case len(here) == 0 || here[0].Count == 0:
		text += "\n" + t.T("wizard.tags.none_here")
	}
	_, cntText, err := t.liveCount(&t.sess.Draft)
	if err != nil {
		return err
	}
	text += "\n" + cntText
	cs = append(cs, t.choice(choiceDone, t.T("btn.done")))
	t.promptReply(Reply{Text: text, Choices: cs, Multi: true, Expect: ExpectText, Edit: t.pressedToggle()})
	return nil
}

func handleTagPick(t *turn) error {
	a := &t.sess.Draft.Audience
	list := &a.IncludeTags
	if t.sess.Step == stepAudExclude {
		list = &a.ExcludeTags
	}
	c := t.pressed()
	if i, ok := strings.CutPrefix(c, "t:"); ok {
		n, err := strconv.Atoi(i)
		if err != nil || n < 0 || n >= len(t.sess.Tags) {
			return t.fail(t.T("err.pick_choice"))
		}
		tag := t.sess.Tags[n]
		if j := slices.Index(*list, tag); j >= 0 {
			*list = slices.Delete(*list, j, j+1)
		} else {
			*list = herald.NormalizeTags(append(*list, tag))
		}
		t.toggled = true
		return t.ask()
	}
	if c == choiceDone {
		return t.back()
	}
	if c != "" || t.text() == "" {
		return t.fail(t.T("err.pick_choice"))
	}
	// Typed tags add to the list ("vip, early-bird").
	typed := strings.Split(t.text(), ",")
	for _, tag := range typed {
		if tag = herald.NormalizeTag(tag); tag != "" && !validTag(tag) {
			return t.fail(t.T("err.tag.invalid", "Tag", tag))
		}
	}
	*list = herald.NormalizeTags(append(*list, typed...))
	return t.ask()
}

func askActivity(t *turn) error {
	t.prompt(t.T("wizard.activity.ask"), ExpectText,
		t.choice("act:within:7", t.N("aud.desc.active", 7)),
		t.choice("act:within:30", t.N("aud.desc.active", 30)),
		t.choice("act:not_since:30", t.N("aud.desc.inactive", 30)),
		t.choice("act:not_since:90", t.N("aud.desc.inactive", 90)),
		t.choice("act:any", t.T("aud.activity_any")))
	return nil
}

func handleActivity(t *turn) error {
	a := &t.sess.Draft.Audience
	c := t.pressed()
	switch {
	case c == "act:any":
		a.Activity = nil
	case strings.HasPrefix(c, "act:"):
		parts := strings.Split(c, ":")
		days, err := strconv.Atoi(parts[len(parts)-1])
		if len(parts) != 3 || err != nil {
			return t.fail(t.T("err.pick_choice"))
		}
		a.Activity = &herald.Activity{Op: herald.ActivityOp(parts[1]), Period: time.Duration(days) * 24 * time.Hour}
	case c == "":
		p := &lineParser{src: t.text()}
		terms, perr := p.audienceTerms()
		if perr != nil || len(terms) != 1 || terms[0].activity == nil {
			return t.fail(t.T("err.activity.format"))
		}
		a.Activity = terms[0].activity
	default:
		return t.fail(t.T("err.pick_choice"))
	}
	return t.back()
}

func askAttr(t *turn) error {
	text := t.T("wizard.attr.ask")
	var cs []Choice
	if len(t.sess.Draft.Audience.Attributes) > 0 {
		text += "\n" + t.describeAudience(&herald.Audience{Attributes: t.sess.Draft.Audience.Attributes})
		cs = append(cs, t.choice("attr:clear", t.T("btn.clear_attrs")))
	}
	cs = append(cs, t.choice(choiceDone, t.T("btn.done")))
	t.prompt(text, ExpectText, cs...)
	return nil
}

func handleAttr(t *turn) error {
	a := &t.sess.Draft.Audience
	switch t.pressed() {
	case "attr:clear":
		a.Attributes = nil
		return t.ask()
	case choiceDone:
		return t.back()
	case "":
	default:
		return t.fail(t.T("err.pick_choice"))
	}
	c, ok := parseAttr(t.text())
	if !ok {
		return t.fail(t.T("err.attr.format"))
	}
	a.Attributes = append(a.Attributes, c)
	return t.ask()
}

// validTag accepts the tags people and integrations actually use: letters,
// digits, "-", "_" and "." (no spaces, URLs or punctuation typed by mistake).
func validTag(tag string) bool {
	for _, r := range tag {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
			return false
		}
	}
	return tag != "" && len(tag) <= 64
}
