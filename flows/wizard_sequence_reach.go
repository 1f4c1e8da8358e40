package flows

import (
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// stepSeqReach picks the accounts a sequence reaches (Sequence.Accounts),
// from its summary, on a bot where a platform has several accounts: the
// broadcast wizard's channel step for a sequence, buttons ticked in place
// or accounts typed as audiences name them ("line:shop, telegram").
const stepSeqReach = "seq_reach"

// reachAccounts are the accounts this turn's admin may pick for a
// sequence, in config order.
func (t *turn) reachAccounts() []herald.Account {
	var accs []herald.Account
	for _, p := range t.channels() {
		for _, a := range t.offered(p) {
			accs = append(accs, a.Account)
		}
	}
	return accs
}

// reachChoosable reports whether the summary offers the picker: a
// platform has several accounts and the admin may use more than one.
func (t *turn) reachChoosable() bool {
	return slices.ContainsFunc(t.channels(), t.e.multiAccount) && len(t.reachAccounts()) > 1
}

// reachButton is the summary's button, when it offers the picker:
// "📡 Reaches: every account" or the accounts chosen.
func (t *turn) reachButton(q *herald.Sequence) []Choice {
	if !t.reachChoosable() {
		return nil
	}
	names := t.T("seq.reach.every")
	if len(q.Accounts) > 0 {
		names = t.accountLabels(q.Accounts)
	}
	return []Choice{t.choice("sq:e:reach", t.T("seq.btn.reach", "Accounts", names))}
}

// accountLabels lists accounts as admins read them ("LINE · Shop, Telegram").
func (t *turn) accountLabels(accs []herald.Account) string {
	names := make([]string, len(accs))
	for i, acc := range accs {
		names[i] = t.e.accountLabel(acc)
	}
	return t.joinList(names)
}

// startReach opens the picker on the sequence's accounts (every one the
// admin may use when it reaches all); the ticks stay in the draft until
// Done, so that leaving the picker keeps what was stored.
func (t *turn) startReach() error {
	if !t.reachChoosable() {
		return t.fail(t.T("err.pick_choice"))
	}
	sd := t.sess.Seq
	sd.Reach = slices.Clone(sd.Q.Accounts)
	if len(sd.Reach) == 0 {
		sd.Reach = t.reachAccounts()
	}
	return t.goTo(stepSeqReach)
}

func askSeqReach(t *turn) error {
	var cs []Choice
	for _, acc := range t.reachAccounts() {
		cs = append(cs, Choice{ID: "sr:" + acc.String(), Label: t.e.accountLabel(acc), Checked: slices.Contains(t.sess.Seq.Reach, acc)})
	}
	cs = append(cs, t.choice(choiceDone, t.T("btn.done")))
	t.promptReply(Reply{Text: t.T("seq.reach.ask", "Example", t.followExample()), Expect: ExpectText, Choices: cs, Multi: true, Edit: t.pressedToggle()})
	return nil
}

func handleSeqReach(t *turn) error {
	sd := t.sess.Seq
	if id, ok := strings.CutPrefix(t.pressed(), "sr:"); ok {
		acc, err := herald.ParseAccount(id)
		if err != nil || !slices.Contains(t.reachAccounts(), acc) {
			return t.fail(t.T("err.pick_choice"))
		}
		if i := slices.Index(sd.Reach, acc); i >= 0 {
			sd.Reach = slices.Delete(sd.Reach, i, i+1)
		} else {
			sd.Reach = append(sd.Reach, acc)
		}
		t.toggled = true
		return t.ask()
	}
	switch {
	case t.pressed() == choiceDone:
	case t.pressed() != "" || t.text() == "":
		return t.fail(t.T("err.pick_choice"))
	default:
		accs, why := t.typedReach()
		if why != "" {
			return t.fail(why)
		}
		sd.Reach = accs
	}
	return t.reachChosen()
}

// typedReach reads "line:shop, telegram": a platform alone is all its
// accounts the admin may use. An unknown name or an account the admin
// may not use is refused, the ticks kept.
func (t *turn) typedReach() ([]herald.Account, string) {
	var accs []herald.Account
	for _, w := range strings.FieldsFunc(t.text(), func(r rune) bool { return r == ',' || r == ' ' || r == '、' || r == '，' }) {
		acc, err := herald.ParseAccount(w)
		if err != nil || !slices.Contains(t.e.cfg.Channels, acc.Platform) {
			return nil, t.T("err.channel_unknown", "Name", w, "Options", t.channelList())
		}
		_, name, named := strings.Cut(strings.NewReplacer("/", ":", "@", ":").Replace(w), ":")
		if !named {
			found := t.accountsOf(t.offered(acc.Platform))
			if len(found) == 0 {
				return nil, t.denied(acc)
			}
			accs = append(accs, found...)
			continue
		}
		one, known := t.e.resolveAccount(acc.Platform, name)
		if !known {
			return nil, t.T("err.account_unknown", "Name", w, "Options", t.joinList(t.e.accountNames(acc.Platform)))
		}
		if !t.mayUse(one) {
			return nil, t.denied(one)
		}
		accs = append(accs, one)
	}
	return accs, ""
}

func (t *turn) accountsOf(as []Account) []herald.Account {
	out := make([]herald.Account, len(as))
	for i, a := range as {
		out[i] = a.Account
	}
	return out
}

// reachChosen keeps the picked accounts (every account, nil, when an
// unrestricted admin picked them all) and goes back to the summary,
// unless none is picked or a follow trigger's channel would be left out.
func (t *turn) reachChosen() error {
	sd := t.sess.Seq
	all := t.reachAccounts()
	picked := slices.DeleteFunc(slices.Clone(all), func(a herald.Account) bool { return !slices.Contains(sd.Reach, a) })
	if len(picked) == 0 {
		return t.fail(t.T("err.seq.reach_none"))
	}
	if len(picked) == len(all) && !t.restricted() {
		picked = nil
	}
	q := sd.Q
	q.Accounts = picked
	if tr := &q.Trigger; !q.TriggerWithinAccounts() {
		return t.fail(t.T("err.seq.reach_follow", "Channel", t.followOnText(tr), "Accounts", t.accountLabels(sd.Reach)))
	}
	sd.Q.Accounts, sd.Reach = picked, nil
	return t.seqSectionDone(stepSeqSummary)
}
