package flows

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/heraldbot/herald"
)

// Wizard steps, stored in sessions: renaming one strands sessions saved
// under the old name (they are dropped with a message).
const (
	stepName        = "name"
	stepChannels    = "channels"
	stepAudience    = "audience"
	stepAudTags     = "audience_tags"
	stepAudExclude  = "audience_exclude"
	stepAudActivity = "audience_activity"
	stepAudAttr     = "audience_attr"
	stepAudCSV      = "audience_csv"
	stepAudSample   = "audience_sample"
	stepContentKind = "content"
	stepText        = "content_text"
	stepImages      = "content_images"
	stepCaption     = "content_caption"
	stepCardTitle   = "content_card_title"
	stepCardImage   = "content_card_image"
	stepCardText    = "content_card_text"
	stepButtons     = "buttons"
	stepButtonsCard = "buttons_card"
	stepButtonLabel = "buttons_label"
	stepButtonURL   = "buttons_url"
	stepButtonDo    = "buttons_action"
	stepCategory    = "category"
	stepMsgTag      = "category_tag"
	stepTiming      = "timing"
	stepAt          = "timing_at"
	stepLocal       = "timing_local"
	stepRecurring   = "timing_recurring"
	stepOperator    = "timing_operator"
	stepQuiet       = "timing_quiet"
	stepQuietCustom = "timing_quiet_custom"
	stepABText      = "ab_text"
	stepABSplit     = "ab_split"
	stepSummary     = "summary"
)

// step is one question of the wizard: ask shows it, handle takes the answer.
type step struct {
	ask    func(t *turn) error
	handle func(t *turn) error
}

func stepFor(name string) (step, bool) {
	switch name {
	case stepName:
		return step{askName, handleName}, true
	case stepChannels:
		return step{askChannels, handleChannels}, true
	case stepAudience:
		return step{askAudience, handleAudience}, true
	case stepAudTags, stepAudExclude:
		return step{askTagPick, handleTagPick}, true
	case stepAudActivity:
		return step{askActivity, handleActivity}, true
	case stepAudAttr:
		return step{askAttr, handleAttr}, true
	case stepAudCSV:
		return step{askCSV, handleCSV}, true
	case stepAudSample:
		return step{askSample, handleSample}, true
	case stepContentKind:
		return step{askContentKind, handleContentKind}, true
	case stepText, stepCaption, stepCardText:
		return step{askText, handleText}, true
	case stepImages, stepCardImage:
		return step{askImages, handleImages}, true
	case stepCardTitle:
		return step{askCardTitle, handleCardTitle}, true
	case stepButtons:
		return step{askButtons, handleButtons}, true
	case stepButtonsCard:
		return step{askButtonsCard, handleButtonsCard}, true
	case stepButtonLabel:
		return step{askButtonLabel, handleButtonLabel}, true
	case stepButtonURL:
		return step{askButtonURL, handleButtonURL}, true
	case stepButtonDo:
		return step{askButtonDo, handleButtonDo}, true
	case stepCategory:
		return step{askCategory, handleCategory}, true
	case stepMsgTag:
		return step{askMsgTag, handleMsgTag}, true
	case stepTiming:
		return step{askTiming, handleTiming}, true
	case stepAt, stepLocal:
		return step{askAt, handleAt}, true
	case stepRecurring:
		return step{askRecurring, handleRecurring}, true
	case stepOperator:
		return step{askOperator, handleOperator}, true
	case stepQuiet:
		return step{askQuiet, handleQuiet}, true
	case stepQuietCustom:
		return step{askQuietCustom, handleQuietCustom}, true
	case stepABText:
		return step{askABText, handleABText}, true
	case stepABSplit:
		return step{askABSplit, handleABSplit}, true
	case stepSummary:
		return step{askSummary, handleSummary}, true
	}
	return seqStepFor(name)
}

// startWizard begins /new with an empty draft.
func (t *turn) startWizard() error {
	t.sess = &session{Draft: herald.Broadcast{
		Origin:   herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName},
		Audience: herald.Audience{Recipients: herald.Users, TagMatch: herald.AnyTag},
	}}
	t.say(t.T("wizard.intro"))
	return t.goTo(stepName)
}

// sectionDone ends a part of the wizard: onward to next, or back to the
// summary when the admin came from there to change one field.
func (t *turn) sectionDone(next string) error {
	if t.sess.Seq != nil { // a sequence step's message: its content ends before the timing
		if next == stepCategory || next == stepTiming {
			return t.seqContentDone()
		}
		return t.goTo(next)
	}
	if !t.sess.FromSummary {
		return t.goTo(next)
	}
	d := &t.sess.Draft
	if d.Audience.HasChannel(herald.Messenger) && d.Category == "" {
		return t.goTo(stepCategory)
	}
	return t.toSummary()
}

func (t *turn) toSummary() error {
	t.sess.History, t.sess.FromSummary, t.sess.Card = nil, false, 0
	t.sess.Step = stepSummary
	return t.ask()
}

func askName(t *turn) error {
	text := t.T("wizard.name.ask")
	if d := t.sess.Draft.Name; d != "" {
		text += "\n" + t.T("wizard.current", "Value", d)
	}
	t.prompt(text, ExpectText)
	return nil
}

// typedName is the name the admin typed, spaces folded, or why it can't
// be one (asked again with the reason).
func (t *turn) typedName() (string, string) {
	if t.pressed() != "" {
		return "", t.T("err.type_text")
	}
	name := strings.Join(strings.Fields(t.text()), " ")
	switch {
	case name == "":
		return "", t.T("err.name.empty")
	case utf8.RuneCountInString(name) > herald.MaxNameLen:
		return "", t.T("err.name.too_long", "Max", herald.MaxNameLen, "Len", utf8.RuneCountInString(name))
	}
	return name, ""
}

func handleName(t *turn) error {
	name, why := t.typedName()
	if why != "" {
		return t.fail(why)
	}
	if other, err := t.nameTaken(name); err != nil {
		return err
	} else if other != "" {
		return t.fail(t.T("err.name.taken", "Name", name, "ID", other))
	}
	t.sess.Draft.Name = name
	if skipped, err := t.onlyChannel(); skipped {
		return err
	}
	return t.sectionDone(stepChannels)
}

// nameTaken returns the ID of another unfinished broadcast with this name.
func (t *turn) nameTaken(name string) (string, error) {
	return t.e.cfg.Broadcasts.NameTaken(name, t.sess.EditID)
}

func askChannels(t *turn) error {
	var cs []Choice
	a := &t.sess.Draft.Audience
	for _, p := range t.channels() {
		if t.e.multiAccount(p) {
			for _, acc := range t.offered(p) {
				cs = append(cs, Choice{ID: "acc:" + acc.Account.String(), Label: t.e.accountLabel(acc.Account),
					Checked: a.HasChannel(p) && a.TakesAccount(acc.Account)})
			}
			continue
		}
		cs = append(cs, Choice{ID: "ch:" + string(p), Label: PlatformName(p), Checked: a.HasChannel(p)})
	}
	cs = append(cs, t.choice(choiceDone, t.T("btn.done")))
	t.promptReply(Reply{Text: t.T("wizard.channels.ask"), Choices: cs, Multi: true, Edit: t.pressedToggle()})
	return nil
}

// pressedToggle reports whether this reply redraws a multi-select after a
// toggle, so frontends can edit it in place.
func (t *turn) pressedToggle() bool {
	return t.toggled && t.errLine == ""
}

func handleChannels(t *turn) error {
	a := &t.sess.Draft.Audience
	c := t.pressed()
	if id, ok := strings.CutPrefix(c, "acc:"); ok {
		acc, err := herald.ParseAccount(id)
		if err != nil || !t.e.multiAccount(acc.Platform) || !slices.ContainsFunc(t.e.accountsOn(acc.Platform), func(a Account) bool { return a.Account == acc }) {
			return t.fail(t.T("err.pick_choice"))
		}
		if !t.mayUse(acc) {
			return t.fail(t.denied(acc))
		}
		chosen := t.e.chosenAccounts(a)
		if i := slices.Index(chosen, acc); i >= 0 {
			chosen = slices.Delete(chosen, i, i+1)
		} else {
			chosen = append(chosen, acc)
		}
		t.e.setAccounts(a, chosen)
		t.toggled = true
		return t.ask()
	}
	if p, ok := strings.CutPrefix(c, "ch:"); ok {
		pl := herald.Platform(p)
		if !slices.Contains(t.e.cfg.Channels, pl) {
			return t.fail(t.T("err.pick_choice"))
		}
		if !t.mayUse(herald.Account{Platform: pl}) {
			return t.fail(t.denied(herald.Account{Platform: pl}))
		}
		if i := slices.Index(a.Channels, pl); i >= 0 {
			a.Channels = slices.Delete(a.Channels, i, i+1)
		} else {
			// Keep display order stable whatever the click order.
			a.Channels = sortedPlatforms(append(a.Channels, pl))
		}
		t.toggled = true
		return t.ask()
	}
	if c != choiceDone {
		if c != "" || t.text() == "" {
			return t.fail(t.T("err.pick_choice"))
		}
		// Typed names: "line, telegram", "line:shop"; or who and where:
		// "everyone on telegram".
		if accs, ok, err := t.typedAccounts(); ok {
			if accs == nil { // refused, and said why
				return err
			}
			t.e.setAccounts(a, accs)
			return t.channelsChosen()
		}
		var picked []herald.Platform
		for _, f := range strings.FieldsFunc(t.text(), func(r rune) bool { return r == ',' || r == ' ' }) {
			p, err := herald.ParsePlatform(f)
			if (err != nil || !slices.Contains(t.e.cfg.Channels, p)) && !looksLikeTargets(t.text()) {
				return t.fail(t.T("err.channel_unknown", "Name", f, "Options", t.channelList()))
			} else if err != nil || !slices.Contains(t.e.cfg.Channels, p) {
				return t.typedTargets(t.text())
			}
			if !slices.Contains(picked, p) {
				picked = append(picked, p)
			}
		}
		a.Channels, a.Accounts = picked, nil
		t.withinOffered(a)
	}
	return t.channelsChosen()
}

func (t *turn) channelList() string { return t.joinList(t.channelWords(true)) }
