package flows

import (
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// Questions whose answer is forced are not asked, and one typed line may
// answer several steps: issue #21 counts the turns of a simple broadcast.

// channelsChosen goes on to the audience once the channels are set. People
// vs group chats is a choice on the audience step itself, offered only
// when a chosen channel has group chats stored (else the answer is
// people): a separate question cost every broadcast a turn.
func (t *turn) channelsChosen() error {
	a := &t.sess.Draft.Audience
	if len(a.Channels) == 0 {
		return t.fail(t.T("err.channels.none"))
	}
	if acc, bad := t.deniedAccount(a); bad {
		return t.fail(t.denied(acc))
	}
	if pruneSelected(a) {
		t.say(t.T("wizard.channels.csv_dropped"))
	}
	groups, _, err := t.groupChats(&herald.Audience{Channels: a.Channels})
	if err != nil {
		return err
	}
	if groups.Total == 0 || a.Recipients == "" {
		a.Recipients = herald.Users
	}
	return t.sectionDone(stepAudience)
}

// recipientKindChoices are the audience step's people / group chats /
// both, the current one ticked, when the chosen channels have group chats.
func (t *turn) recipientKindChoices(a *herald.Audience) ([]Choice, error) {
	groups, _, err := t.groupChats(&herald.Audience{Channels: a.Channels})
	if err != nil || groups.Total == 0 {
		return nil, err
	}
	var cs []Choice
	for _, rk := range []herald.RecipientKind{herald.Users, herald.Groups, herald.Both} {
		cs = append(cs, Choice{ID: "rk:" + string(rk), Label: t.T(recipientKeys[rk]), Checked: a.Recipients == rk})
	}
	return cs, nil
}

// groupChats counts the group chats in a (whatever its kind of
// recipients) on its channels that have them.
func (t *turn) groupChats(a *herald.Audience) (herald.Count, []herald.Platform, error) {
	g := herald.Broadcast{Audience: *a}
	g.Audience.Recipients = herald.Groups
	g.Audience.Channels = slices.DeleteFunc(slices.Clone(a.Channels), func(p herald.Platform) bool { return !p.HasGroups() })
	if len(g.Audience.Channels) == 0 {
		return herald.Count{}, nil, nil
	}
	c, err := t.count(&g)
	return c, g.Audience.Channels, err
}

// onlyChannel skips the channel step when the bot has a single channel:
// there is nothing to choose.
func (t *turn) onlyChannel() (bool, error) {
	chans := t.channels()
	if len(chans) != 1 || len(t.offered(chans[0])) != 1 || t.sess.FromSummary {
		return false, nil // several channels or accounts to choose from
	}
	t.everywhere(&t.sess.Draft.Audience)
	return true, t.channelsChosen()
}

// typedTargets reads "everyone on telegram", "tag:vip on line" or "on
// line" at the channel step: the words of /new's "to … on …" clauses. When
// the line says who, the audience step is answered too (it stays on Back's
// path, showing what was read).
func (t *turn) typedTargets(text string) error {
	ol, perr := targetLine(text)
	if perr != nil {
		return t.fail(t.sentences(t.T(perr.Key, perr.Args...), t.T("err.channels.typed")))
	}
	a := &t.sess.Draft.Audience
	for _, p := range ol.Channels {
		if !slices.Contains(t.e.cfg.Channels, p) {
			return t.fail(t.T("err.channel_unknown", "Name", string(p), "Options", t.channelList()))
		}
	}
	if len(ol.Channels) > 0 {
		a.Channels, a.Accounts = sortedPlatforms(ol.Channels), nil
		if len(ol.Accounts) == 0 {
			t.withinOffered(a)
		}
		if perr := t.e.resolveOnAccounts(a, ol.Accounts); perr != nil {
			return t.fail(t.T(perr.Key, perr.Args...))
		}
	}
	if len(a.Channels) == 0 {
		return t.fail(t.T("err.channels.none"))
	}
	if ol.Sample != nil {
		t.setSample(a, ol.Sample)
	}
	if len(ol.Terms) == 0 {
		return t.channelsChosen()
	}
	if pruneSelected(a) {
		t.say(t.T("wizard.channels.csv_dropped"))
	}
	// As in /new's line: people unless the words say groups or both.
	a.Recipients = herald.Users
	if perr, err := t.resolveTerms(a, ol.Terms); err != nil || perr != nil {
		if err != nil {
			return err
		}
		return t.fail(t.sentences(t.T(perr.Key, perr.Args...), t.T("err.channels.typed")))
	}
	cnt, err := t.count(&t.sess.Draft)
	if err != nil {
		return err
	}
	if !t.sess.FromSummary {
		t.sess.History = append(t.sess.History, t.sess.Step)
		t.sess.Step = stepAudience
	}
	if cnt.Total > 0 { // what was read, before the next question
		t.say(t.describeAudience(a) + "\n" + t.countText(&t.sess.Draft, cnt))
	}
	return t.audienceDone()
}

// looksLikeTargets tells "everyone on telegram" from channel names typed
// with a mistake ("wechat"), which get the channel step's own answer.
func looksLikeTargets(text string) bool {
	for _, f := range strings.Fields(strings.ToLower(text)) {
		switch {
		case strings.Contains(f, ":"), f == "on", f == "to", f == "everyone", f == "all", f == "users", f == "groups", f == "both":
			return true
		}
	}
	return false
}

// targetLine parses targeting words and channels ("tag:vip on line"),
// with positions in args.
func targetLine(args string) (*oneLine, *parseError) {
	prefix := `"_" to `
	if strings.HasPrefix(strings.ToLower(args), "on ") {
		prefix = `"_" `
	}
	ol, perr := parseOneLine(prefix + args)
	if perr == nil && (ol.Timing != "" || ol.Quiet != nil || ol.Name != "_") {
		perr = &parseError{Pos: len(prefix), Key: "err.syntax.term", Args: []any{"Word", args}}
	}
	if perr != nil {
		perr.Pos = max(0, perr.Pos-len(prefix))
		return nil, perr
	}
	for i := range ol.Terms {
		ol.Terms[i].pos = max(0, ol.Terms[i].pos-len(prefix))
	}
	return ol, nil
}

// sortedPlatforms orders channels as herald.Platforms does, whatever
// order they were typed or pressed in.
func sortedPlatforms(ps []herald.Platform) []herald.Platform {
	out := slices.Clone(ps)
	slices.SortFunc(out, func(x, y herald.Platform) int {
		return slices.Index(herald.Platforms, x) - slices.Index(herald.Platforms, y)
	})
	return out
}

// timingDone goes on once the timing is set: the operator-chat question
// only when someone in the audience has an open operator chat (else
// nothing would change: held is the default).
func (t *turn) timingDone() error {
	cnt, err := t.count(&t.sess.Draft)
	if err != nil {
		return err
	}
	if cnt.OperatorChats == 0 {
		t.sess.Draft.EndOperatorChats = false
		return t.toSummary()
	}
	return t.goTo(stepOperator)
}

// choiceSendNow, on the Buttons step, ends the message and sets the
// timing to now in one press. It sits where a community manager finishes
// writing: most quick broadcasts go out now, so the When step's answer
// comes one press earlier, and nothing is lost: "No buttons ➡️" still
// leads to every timing, and the summary (with Confirm, and the undo wait
// after it) still comes before anything is sent.
const choiceSendNow = "btn:now"

// sendNowOffer is the Buttons step's "🚀 Send now" when the timing is all
// that is left to choose: not when Messenger's category comes first, nor
// when the admin came from the summary to change only the buttons.
func (t *turn) sendNowOffer(withButtons bool) []Choice {
	if t.sess.FromSummary || t.sess.Seq != nil || t.sess.Draft.Audience.HasChannel(herald.Messenger) {
		return nil
	}
	key := "btn.no_buttons_now"
	if withButtons {
		key = "btn.continue_now"
	}
	return []Choice{t.choice(choiceSendNow, t.T(key))}
}

// sendNow answers the timing as the When step's "Now" does; Back from the
// operator-chat question, when it is asked, returns to the Buttons step.
func (t *turn) sendNow() error {
	if t.sendNowOffer(false) == nil {
		return t.fail(t.T("err.pick_choice"))
	}
	t.setTiming(herald.Schedule{Kind: herald.SendNow})
	return t.timingDone()
}
