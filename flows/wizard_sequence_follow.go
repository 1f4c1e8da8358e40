package flows

import (
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// stepSeqFollowOn asks which channel's (or account's) new subscribers a
// "new subscriber" sequence welcomes, when the bot has more than one.
const stepSeqFollowOn = "seq_follow_on"

// followChoices are the answers: any channel, each channel (any of its
// accounts), and each named account of a channel with several, named as
// audiences name them (line, line:shop); only those the sequence reaches.
func (t *turn) followChoices() []Choice {
	choices := []Choice{t.choice("sf:", t.T("seq.follow_on.any"))}
	q := &t.sess.Seq.Q
	for _, p := range t.channels() {
		if len(q.Accounts) > 0 && !slices.ContainsFunc(q.Accounts, func(a herald.Account) bool { return a.Platform == p }) {
			continue // outside the accounts the sequence reaches
		}
		label := PlatformName(p)
		several := len(t.offered(p)) > 1
		if several {
			label = t.T("seq.follow_on.any_account", "Channel", label)
		}
		choices = append(choices, t.choice("sf:"+string(p), label))
		if !several {
			continue
		}
		for _, a := range t.offered(p) {
			if !a.Account.IsDefault() && q.Reaches(a.Account) {
				choices = append(choices, t.choice("sf:"+a.Account.String(), t.e.accountLabel(a.Account)))
			}
		}
	}
	return choices
}

// followNeedsChoice: with one channel of one account (of those the admin
// may use: the sequence reaches no other), every new subscriber is on it.
func (t *turn) followNeedsChoice() bool {
	chs := t.channels()
	return len(chs) > 1 || len(chs) == 1 && len(t.offered(chs[0])) > 1
}

// followExample is how to type an answer on this bot: its first channel,
// and a named account when it has one ("line, line:shop").
func (t *turn) followExample() string {
	chs := t.channels()
	ex := string(chs[0])
	for _, a := range t.e.cfg.Accounts {
		if !a.Account.IsDefault() && slices.Contains(chs, a.Platform) && t.mayUse(a.Account) {
			return ex + ", " + a.Account.String()
		}
	}
	return ex
}

func askSeqFollowOn(t *turn) error {
	t.prompt(t.T("seq.follow_on.ask", "Example", t.followExample()), ExpectChoice, t.followChoices()...)
	return nil
}

func handleSeqFollowOn(t *turn) error {
	in, ok := strings.CutPrefix(t.pressed(), "sf:")
	if !ok {
		in = strings.TrimSpace(t.text()) // typed: line, line:shop
	}
	tr := &t.sess.Seq.Q.Trigger
	if in == "" && ok {
		tr.Channel, tr.Account = "", ""
		return t.seqSectionDone(stepSeqDelay)
	}
	acc, err := herald.ParseAccount(in)
	known := err == nil && slices.Contains(t.e.cfg.Channels, acc.Platform) &&
		(acc.IsDefault() || slices.ContainsFunc(t.e.accountsOn(acc.Platform), func(a Account) bool { return a.Account == acc }))
	if !known {
		return t.fail(t.T("err.seq.follow_on", "Value", in, "Example", t.followExample()))
	}
	if len(t.offered(acc.Platform)) == 0 || !acc.IsDefault() && !t.mayUse(acc) {
		return t.fail(t.denied(acc))
	}
	q := t.sess.Seq.Q
	q.Trigger.Channel, q.Trigger.Account = acc.Platform, acc.Name
	if !q.TriggerWithinAccounts() {
		return t.fail(t.T("err.seq.follow_outside", "Channel", t.followOnText(&q.Trigger), "Accounts", t.accountLabels(q.Accounts)))
	}
	tr.Channel, tr.Account = acc.Platform, acc.Name
	return t.seqSectionDone(stepSeqDelay)
}

// followOnText names a follow trigger's channel or account.
func (t *turn) followOnText(tr *herald.Trigger) string {
	if tr.Account != "" {
		return t.e.accountLabel(herald.Account{Platform: tr.Channel, Name: tr.Account})
	}
	if t.e.multiAccount(tr.Channel) {
		return t.T("seq.follow_on.any_account", "Channel", PlatformName(tr.Channel))
	}
	return PlatformName(tr.Channel)
}
