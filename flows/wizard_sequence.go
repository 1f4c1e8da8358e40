package flows

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// The sequence wizard's own steps; each step's message is made by the
// broadcast wizard's content steps (kind, text, images, cards, buttons),
// which hand back to stepSeqStepDone instead of going on to the timing.
const (
	stepSeqName     = "seq_name"
	stepSeqTrigger  = "seq_trigger"
	stepSeqTrigWhat = "seq_trigger_value"
	stepSeqDelay    = "seq_delay"
	stepSeqStepDone = "seq_step_done"
	stepSeqExit     = "seq_exit"
	stepSeqSummary  = "seq_summary"
)

// seqDraft is the sequence being made or edited, kept in the session.
type seqDraft struct {
	Q      herald.Sequence `json:"q"`
	EditID string          `json:"edit_id,omitempty"`
	// Index is the step being made (len(Q.Steps): a new one) or edited;
	// Delay and At are its timing, asked before its message.
	Index int           `json:"index"`
	Delay time.Duration `json:"delay"`
	At    string        `json:"at,omitempty"`
	// Reach are the accounts ticked in the accounts picker until Done.
	Reach []herald.Account `json:"reach,omitempty"`
}

func seqStepFor(name string) (step, bool) {
	switch name {
	case stepSeqName:
		return step{askSeqName, handleSeqName}, true
	case stepSeqTrigger:
		return step{askSeqTrigger, handleSeqTrigger}, true
	case stepSeqTrigWhat:
		return step{askSeqTrigWhat, handleSeqTrigWhat}, true
	case stepSeqFollowOn:
		return step{askSeqFollowOn, handleSeqFollowOn}, true
	case stepSeqDelay:
		return step{askSeqDelay, handleSeqDelay}, true
	case stepSeqStepDone:
		return step{askSeqStepDone, handleSeqStepDone}, true
	case stepSeqExit:
		return step{askSeqExit, handleSeqExit}, true
	case stepSeqSummary:
		return step{askSeqSummary, handleSeqSummary}, true
	case stepSeqReach:
		return step{askSeqReach, handleSeqReach}, true
	}
	return step{}, false
}

// startSequence begins /sequence new, or (q set) edits q from its summary.
func (t *turn) startSequence(q *herald.Sequence) error {
	t.sess = &session{Seq: &seqDraft{}, Draft: herald.Broadcast{
		Origin:   herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName},
		Audience: herald.Audience{Channels: t.e.cfg.Channels, Recipients: herald.Users},
	}}
	t.everywhere(&t.sess.Draft.Audience)
	if q != nil {
		t.sess.Seq.Q, t.sess.Seq.EditID = *q, q.ID
		t.sess.Step = stepSeqSummary
		return t.ask()
	}
	t.sess.Seq.Q.Accounts = t.sequenceAccounts()
	t.say(t.T("seq.intro"))
	return t.goTo(stepSeqName)
}

// seqSectionDone goes on to next, or back to the summary when the admin
// came from there to change one thing.
func (t *turn) seqSectionDone(next string) error {
	if t.sess.FromSummary {
		t.sess.History, t.sess.FromSummary = nil, false
		t.sess.Step = stepSeqSummary
		return t.ask()
	}
	return t.goTo(next)
}

func askSeqName(t *turn) error {
	text := t.T("seq.name.ask")
	if n := t.sess.Seq.Q.Name; n != "" {
		text += "\n" + t.T("wizard.current", "Value", n)
	}
	t.prompt(text, ExpectText)
	return nil
}

func handleSeqName(t *turn) error {
	name, why := t.typedName()
	if why != "" {
		return t.fail(why)
	}
	t.sess.Seq.Q.Name = name
	return t.seqSectionDone(stepSeqTrigger)
}

func askSeqTrigger(t *turn) error {
	t.prompt(t.T("seq.trigger.ask"), ExpectChoice,
		t.choice("sq:follow", t.T("seq.trigger.follow")), t.choice("sq:tag", t.T("seq.trigger.tag")),
		t.choice("sq:tap", t.T("seq.trigger.tap")), t.choice("sq:event", t.T("seq.trigger.event")))
	return nil
}

func handleSeqTrigger(t *turn) error {
	kind, ok := map[string]herald.TriggerKind{"sq:follow": herald.TriggerFollow, "sq:tag": herald.TriggerTag,
		"sq:tap": herald.TriggerTap, "sq:event": herald.TriggerEvent}[t.pressed()]
	if !ok {
		return t.fail(t.T("err.pick_choice"))
	}
	tr := &t.sess.Seq.Q.Trigger
	if tr.Kind != kind {
		*tr = herald.Trigger{Kind: kind}
	}
	if kind == herald.TriggerFollow {
		if t.followNeedsChoice() {
			return t.goTo(stepSeqFollowOn)
		}
		return t.seqSectionDone(stepSeqDelay)
	}
	return t.goTo(stepSeqTrigWhat)
}

func askSeqTrigWhat(t *turn) error {
	key := map[herald.TriggerKind]string{herald.TriggerTag: "seq.trigger.tag_ask", herald.TriggerTap: "seq.trigger.tap_ask",
		herald.TriggerEvent: "seq.trigger.event_ask"}[t.sess.Seq.Q.Trigger.Kind]
	t.prompt(t.T(key), ExpectText)
	return nil
}

func handleSeqTrigWhat(t *turn) error {
	if t.pressed() != "" || t.text() == "" {
		return t.fail(t.T("err.type_text"))
	}
	tr := &t.sess.Seq.Q.Trigger
	switch tr.Kind {
	case herald.TriggerTag:
		tr.Tag = herald.NormalizeTag(t.text())
	case herald.TriggerEvent:
		name := strings.ToLower(t.text())
		if !herald.ValidEventName(name) {
			return t.fail(t.T("err.seq.event_name"))
		}
		tr.Event = name
	case herald.TriggerTap:
		id := herald.NormalizeBroadcastID(t.text())
		b, err := t.e.cfg.Store.Broadcast(id)
		if errors.Is(err, herald.ErrNotFound) {
			return t.fail(t.T("err.seq.no_broadcast", "ID", t.text()))
		} else if err != nil {
			return err
		}
		if acc, bad := t.deniedAccount(&b.Audience); bad {
			return t.fail(t.denied(acc))
		}
		if !slices.ContainsFunc(b.Content.Buttons, func(bt herald.Button) bool { return bt.Kind == herald.ActionButton }) {
			return t.fail(t.T("err.seq.no_action_buttons", "Name", b.Name, "ID", b.ID))
		}
		tr.Broadcast = id
	}
	return t.seqSectionDone(stepSeqDelay)
}

func askSeqDelay(t *turn) error {
	sd := t.sess.Seq
	after := t.T("seq.delay.after_start")
	if sd.Index > 0 {
		after = t.T("seq.delay.after_step", "N", sd.Index)
	}
	text := t.T("seq.delay.ask", "N", sd.Index+1, "After", after)
	if sd.Index < len(sd.Q.Steps) {
		st := sd.Q.Steps[sd.Index]
		text += "\n" + t.T("wizard.current", "Value", t.stepWhen(st.Delay, st.At))
	}
	t.prompt(text, ExpectText, t.choice("sd:0", t.T("seq.delay.now")),
		t.choice("sd:1d", t.T("seq.delay.day")), t.choice("sd:3d 10:00", t.T("seq.delay.3days")))
	return nil
}

func handleSeqDelay(t *turn) error {
	in := t.text()
	if p, ok := strings.CutPrefix(t.pressed(), "sd:"); ok {
		in = p
	} else if t.pressed() != "" {
		return t.fail(t.T("err.pick_choice"))
	}
	delay, at, ok := parseStepDelay(in)
	if !ok {
		return t.fail(t.T("err.seq.delay"))
	}
	sd := t.sess.Seq
	sd.Delay, sd.At = delay, at
	t.sess.Draft.Content = herald.Content{}
	if sd.Index < len(sd.Q.Steps) {
		t.sess.Draft.Content = sd.Q.Steps[sd.Index].Content
	}
	return t.goTo(stepContentKind)
}

// parseStepDelay reads "0", "now" (nowWords), "2h", "1d", "1w", "1d 12h" (or in
// words: "2 days", "2日後", "3天后", "tomorrow") and an optional time of
// day: "3d 10:00", "3d 9:00", "10:00".
func parseStepDelay(s string) (time.Duration, string, bool) {
	var d time.Duration
	at := ""
	for _, f := range strings.Fields(durationWords(s)) {
		if strings.Contains(f, ":") {
			tod, err := time.Parse("15:04", f)
			if err != nil || at != "" {
				return 0, "", false
			}
			at = tod.Format("15:04")
			continue
		}
		if slices.Contains(nowWords, f) {
			continue
		}
		unit := unitLengths[f[len(f)-1:]]
		n, err := strconv.Atoi(f[:len(f)-1])
		if unit == 0 || err != nil || n < 0 {
			return 0, "", false
		}
		d += time.Duration(n) * unit
	}
	if strings.TrimSpace(s) == "" || d > herald.MaxStepDelay {
		return 0, "", false
	}
	return d, at, true
}

// nowWords are a step delay of none: "now", or its words in Japanese and
// Chinese (the console reads a bare 0 as Back, so prompts say "now").
var nowWords = []string{"0", "now", "immediately", "すぐ", "すぐに", "今すぐ", "立即", "立刻", "马上", "馬上"}

// seqContentAsk asks for the message of the step being made; editing a
// step that has one, it shows it and offers to keep it, so that changing
// only the delay needs no retyping.
func (t *turn) seqContentAsk() (string, []Choice) {
	sd := t.sess.Seq
	ask := t.T("seq.content.ask", "N", sd.Index+1)
	c := &t.sess.Draft.Content
	if sd.Index >= len(sd.Q.Steps) || c.Kind == "" {
		return ask, nil
	}
	return ask + "\n" + strings.Join(t.describeContent(c, 200), "\n"), []Choice{t.choice("sq:keepmsg", t.T("seq.btn.keep_message"))}
}

// seqContentDone keeps the message the content steps made as the step
// being made or edited.
func (t *turn) seqContentDone() error {
	sd := t.sess.Seq
	st := herald.Step{Delay: sd.Delay, At: sd.At, Content: t.sess.Draft.Content}
	if sd.Index < len(sd.Q.Steps) {
		st.BroadcastID = sd.Q.Steps[sd.Index].BroadcastID
		sd.Q.Steps[sd.Index] = st
	} else {
		sd.Q.Steps = append(sd.Q.Steps, st)
	}
	t.sess.History = nil // Back from here would walk into a finished step
	if t.sess.FromSummary {
		return t.seqSectionDone(stepSeqSummary)
	}
	return t.goTo(stepSeqStepDone)
}

func askSeqStepDone(t *turn) error {
	sd := t.sess.Seq
	st := sd.Q.Steps[len(sd.Q.Steps)-1]
	cs := []Choice{t.choice("sq:done", t.T("seq.btn.steps_done"))}
	if len(sd.Q.Steps) < herald.MaxSequenceSteps {
		cs = append([]Choice{t.choice("sq:add", t.T("seq.btn.add_step"))}, cs...)
	}
	t.prompt(t.T("seq.step.saved", "N", len(sd.Q.Steps), "When", t.stepWhen(st.Delay, st.At)), ExpectChoice, cs...)
	return nil
}

func handleSeqStepDone(t *turn) error {
	sd := t.sess.Seq
	switch t.pressed() {
	case "sq:add":
		sd.Index = len(sd.Q.Steps)
		return t.goTo(stepSeqDelay)
	case "sq:done":
		return t.goTo(stepSeqExit)
	}
	return t.fail(t.T("err.pick_choice"))
}

// askSeqExit asks for the exit tags; with some set already, going on
// keeps them and taking them off is a button of its own, so that passing
// through (an edit's ✏️ Exit tags) never drops them.
func askSeqExit(t *turn) error {
	text := t.T("seq.exit.ask")
	tags := t.sess.Seq.Q.ExitTags
	if len(tags) == 0 {
		t.prompt(text, ExpectText, t.choice(choiceSkip, t.T("btn.skip")))
		return nil
	}
	text += "\n" + t.T("wizard.current", "Value", t.joinList(tags))
	t.prompt(text, ExpectText, t.choice(choiceSkip, t.T("seq.btn.keep_exit")), t.choice("sq:noexit", t.T("seq.btn.no_exit")))
	return nil
}

func handleSeqExit(t *turn) error {
	q := &t.sess.Seq.Q
	switch {
	case t.pressed() == choiceSkip: // none asked for, or those set kept
	case t.pressed() == "sq:noexit":
		q.ExitTags = nil
	case t.pressed() != "":
		return t.fail(t.T("err.pick_choice"))
	default:
		q.ExitTags = herald.NormalizeTags(strings.FieldsFunc(t.text(), func(r rune) bool { return r == ',' || r == '、' || r == '，' }))
	}
	return t.seqSectionDone(stepSeqSummary)
}
