package flows

import (
	"errors"
	"strings"

	"github.com/heraldbot/herald"
)

// Quiet hours are part of timing: the timing step shows the broadcast's
// setting and offers to change it; the summary has its own line and edit
// button. Choosing returns to where the admin came from (the timing step,
// or the summary).

// quietSetting names a broadcast's quiet-hours setting in words: the bot's
// default (with its window), off, or its own window.
func (t *turn) quietSetting(q *herald.QuietHours) string {
	switch {
	case q == nil && t.e.cfg.QuietHours == nil:
		return t.T("quiet.default_none")
	case q == nil:
		return t.T("quiet.default", "Window", t.e.cfg.QuietHours.String())
	case q.Off:
		return t.T("quiet.off")
	}
	return t.T("quiet.custom", "Window", q.String())
}

// quietLine is the summary's and the timing step's line on quiet hours.
func (t *turn) quietLine(q *herald.QuietHours) string {
	return t.T("quiet.line", "Setting", t.quietSetting(q))
}

func askQuiet(t *turn) error {
	def := t.T("quiet.choice_default_none")
	if q := t.e.cfg.QuietHours; q != nil {
		def = t.T("quiet.choice_default", "Window", q.String())
	}
	text := t.T("wizard.quiet.ask", "Zone", t.e.cfg.Location.String()) + "\n" +
		t.T("wizard.current", "Value", t.quietSetting(t.sess.Draft.Schedule.Quiet))
	t.prompt(text, ExpectChoice,
		t.choice("qh:default", def),
		t.choice("qh:off", t.T("quiet.choice_off")),
		t.choice("qh:custom", t.T("quiet.choice_custom")))
	return nil
}

func handleQuiet(t *turn) error {
	s := &t.sess.Draft.Schedule
	switch t.pressed() {
	case "qh:default":
		s.Quiet = nil
	case "qh:off":
		s.Quiet = &herald.QuietHours{Off: true}
	case "qh:custom":
		return t.goTo(stepQuietCustom)
	case "":
		// A window typed straight away saves a press.
		if strings.EqualFold(t.text(), "off") {
			s.Quiet = &herald.QuietHours{Off: true}
			break
		}
		return setQuietWindow(t)
	default:
		return t.fail(t.T("err.pick_choice"))
	}
	return t.quietDone()
}

func askQuietCustom(t *turn) error {
	text := t.T("wizard.quiet.custom_ask")
	if q := t.sess.Draft.Schedule.Quiet; q != nil && !q.Off {
		text += "\n" + t.T("wizard.current", "Value", q.String())
	}
	t.prompt(text, ExpectText)
	return nil
}

func handleQuietCustom(t *turn) error {
	if t.pressed() != "" {
		return t.fail(t.T("err.type_text"))
	}
	return setQuietWindow(t)
}

// setQuietWindow takes the typed window as the broadcast's own, or explains
// in one line, with an example, why not.
func setQuietWindow(t *turn) error {
	q, err := herald.ParseQuietHours(t.text())
	if err != nil {
		var ve *herald.ValidationError
		if errors.As(err, &ve) && ve.Code == herald.CodeEmptySpan {
			return t.fail(t.T("err.quiet.same"))
		}
		return t.fail(t.T("err.quiet.format", "Text", t.orDash(t.text())))
	}
	t.sess.Draft.Schedule.Quiet = &q
	return t.quietDone()
}

// quietDone goes back to the timing step when quiet hours were changed from
// there, else to the summary (its edit button).
func (t *turn) quietDone() error {
	h := t.sess.History
	for i := len(h) - 1; i >= 0; i-- {
		if h[i] == stepTiming {
			t.sess.Step, t.sess.History = stepTiming, h[:i]
			return t.ask()
		}
	}
	return t.sectionDone(stepTiming)
}

// setTiming replaces when the broadcast goes out; its quiet hours are a
// separate choice and stay.
func (t *turn) setTiming(s herald.Schedule) {
	s.Quiet = t.sess.Draft.Schedule.Quiet
	t.sess.Draft.Schedule = s
}
