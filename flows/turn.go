package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

// session is one admin's conversation state, stored as JSON so a restart
// resumes at the same step with everything entered so far.
type session struct {
	Step    string   `json:"step,omitempty"`
	History []string `json:"history,omitempty"`
	// Draft is the broadcast being made or edited.
	Draft herald.Broadcast `json:"draft"`
	// EditID is set when Draft is an existing broadcast (via /edit);
	// EditStatus is its status before, restored when the edit is canceled.
	EditID     string        `json:"edit_id,omitempty"`
	EditStatus herald.Status `json:"edit_status,omitempty"`
	// FromSummary sends the admin back to the summary once the field they
	// chose to edit is done.
	FromSummary bool `json:"from_summary,omitempty"`
	// Tags are the tags last offered, so a choice ID can be a short index.
	Tags []string `json:"tags,omitempty"`
	// Button is the button being built.
	Button herald.Button `json:"button"`
	// Card is the carousel card (from 1) whose buttons the Buttons step
	// edits, picked when the summary's Buttons asked which; 0 is the card
	// being made, the last.
	Card int `json:"card,omitempty"`
	// Offered are the choices of the last prompt, so typing a label works
	// like pressing it.
	Offered []Choice `json:"offered,omitempty"`
	// Awaiting is what a file outside the wizard is for ("import:line"
	// after /import line); any other input ends the wait.
	Awaiting string    `json:"awaiting,omitempty"`
	Updated  time.Time `json:"updated"`
	// Seq is the sequence being made or edited (/sequence new|edit); Draft
	// then holds only the message of the step being made.
	Seq *seqDraft `json:"seq,omitempty"`
}

// stepRecipients was the separate people-or-groups question; sessions
// saved while it was asked are moved onto the audience step.
const stepRecipients = "recipients"

// upgrade moves a session saved by an older Herald onto today's steps.
func (s *session) upgrade() {
	if s.Step == stepRecipients {
		s.Step = stepAudience
	}
	for i, st := range s.History {
		if st == stepRecipients {
			s.History[i] = stepAudience
		}
	}
	s.History = slices.Compact(s.History)
}

// turn is the handling of one input: the session, the admin's language and
// timezone, and the replies collected so far.
type turn struct {
	e       *Engine
	ctx     context.Context
	in      Input
	key     string
	actor   string
	now     time.Time
	sess    *session
	admin   herald.Admin
	tz      *time.Location
	loc     *locales.Localizer
	replies []Reply
	// errLine is a one-line explanation of the last mistake, shown above
	// the prompt that asks again.
	errLine string
	// drop deletes the session instead of saving it.
	drop bool
	// toggled marks a step redrawn after a press (a multi-select toggle,
	// a menu button), which frontends may edit in place.
	toggled bool
	// unchanged marks a press that changed nothing, said in the redrawn step.
	unchanged bool
}

func (e *Engine) newTurn(ctx context.Context, in Input, key string) (*turn, error) {
	t := &turn{e: e, ctx: ctx, in: in, key: key, actor: adminKey(in), now: e.cfg.Now(), tz: e.cfg.Location}
	admin, err := e.cfg.Store.Admin(t.actor)
	switch {
	case errors.Is(err, herald.ErrNotFound):
		admin = herald.Admin{Key: t.actor}
	case err != nil:
		return nil, fmt.Errorf("flows: load admin %s: %w", t.actor, err)
	}
	t.admin = admin
	if admin.Timezone != "" {
		if l, err := time.LoadLocation(admin.Timezone); err == nil {
			t.tz = l
		}
	}
	t.loc = e.cfg.Catalog.Localizer(admin.Locale)
	t.sess = &session{}
	data, err := e.cfg.Store.Session(key)
	switch {
	case errors.Is(err, herald.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("flows: load session %s: %w", key, err)
	default:
		if err := json.Unmarshal(data, t.sess); err != nil {
			// A session from an incompatible version is not worth an
			// error: start over, and say so.
			e.cfg.Logger.Warn("flows: unreadable session dropped", "session", key, "error", err)
			t.sess = &session{}
		}
		t.sess.upgrade()
	}
	if t.sess.Step != "" && t.now.Sub(t.sess.Updated) > e.cfg.SessionTTL {
		name := t.sess.Draft.Name
		t.sess = &session{}
		if err := e.cfg.Store.DeleteSession(key); err != nil && !errors.Is(err, herald.ErrNotFound) {
			return nil, fmt.Errorf("flows: delete expired session %s: %w", key, err)
		}
		t.say(t.T("session.expired", "Name", t.orDash(name), "Hours", int(e.cfg.SessionTTL.Hours())))
	}
	t.matchTypedChoice()
	return t, nil
}

// saveAdminName remembers the name the admin goes by in their chat, so
// /log names them to others: a write only on first contact or a change.
// Called once they are known to be an admin: a refused user leaves nothing.
func (t *turn) saveAdminName() error {
	if t.in.UserName == "" || t.admin.Name == t.in.UserName {
		return nil
	}
	t.admin.Name = t.in.UserName
	if err := t.e.cfg.Store.SaveAdmin(t.admin); err != nil {
		return fmt.Errorf("flows: save admin %s: %w", t.actor, err)
	}
	return nil
}

// matchTypedChoice lets an admin type a button's label (or "back",
// "cancel") instead of pressing it: its words are enough, without the
// emoji and arrows ("confirm" for "✅ Confirm", "no buttons, send now"
// for "🚀 No buttons, send now").
func (t *turn) matchTypedChoice() {
	text := strings.TrimSpace(t.in.Text)
	if text == "" || strings.HasPrefix(text, "/") || t.in.Choice != "" {
		return
	}
	words := labelWords(text)
	for _, exact := range []bool{true, false} {
		for _, c := range t.sess.Offered {
			match := strings.EqualFold(text, c.Label) || strings.EqualFold(text, c.ID)
			if !exact {
				match = words != "" && words == labelWords(c.Label)
			}
			if match {
				t.in.Choice, t.in.Text = c.ID, ""
				return
			}
		}
	}
}

// labelWords is a label's letters and digits, words apart, in lower case:
// what an admin types for it.
func labelWords(label string) string {
	f := strings.FieldsFunc(strings.ToLower(label), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	return strings.Join(f, " ")
}

func (t *turn) saveSession() error {
	if t.drop || (t.sess.Step == "" && t.sess.Awaiting == "") {
		if err := t.e.cfg.Store.DeleteSession(t.key); err != nil && !errors.Is(err, herald.ErrNotFound) {
			return fmt.Errorf("flows: delete session %s: %w", t.key, err)
		}
		return nil
	}
	t.sess.Updated = t.now
	data, err := json.Marshal(t.sess)
	if err != nil {
		return fmt.Errorf("flows: encode session: %w", err)
	}
	if err := t.e.cfg.Store.PutSession(t.key, data); err != nil {
		return fmt.Errorf("flows: save session %s: %w", t.key, err)
	}
	return nil
}

// T renders a message in the admin's language.
func (t *turn) T(key string, pairs ...any) string { return t.loc.T(key, pairs...) }

// N renders a plural message in the admin's language.
func (t *turn) N(key string, n int, pairs ...any) string { return t.loc.N(key, n, pairs...) }

func (t *turn) choice(id, label string) Choice { return Choice{ID: id, Label: label} }

// say adds an answer that waits for nothing in particular.
func (t *turn) say(text string, choices ...Choice) {
	t.replies = append(t.replies, Reply{Text: text, Choices: choices})
}

// prompt asks the current step's question, with the last mistake above it
// and Back and Cancel below it.
func (t *turn) prompt(text string, expect Expect, choices ...Choice) {
	t.promptReply(Reply{Text: text, Expect: expect, Choices: choices})
}

func (t *turn) promptReply(r Reply) {
	if t.errLine != "" {
		r.Text = "⚠️ " + t.errLine + "\n\n" + r.Text
		t.errLine = ""
	}
	if len(t.sess.History) > 0 {
		r.Choices = append(r.Choices, t.choice(choiceBack, t.T("btn.back")))
	}
	r.Choices = append(r.Choices, t.choice(choiceCancel, t.T("btn.cancel")))
	if r.Expect == "" {
		r.Expect = ExpectChoice
	}
	t.sess.Offered = r.Choices
	t.replies = append(t.replies, r)
}

// fail explains a mistake in one line and asks the same step again.
func (t *turn) fail(line string) error {
	t.errLine = line
	return t.ask()
}

// ask (re-)asks the current step.
func (t *turn) ask() error {
	st, ok := stepFor(t.sess.Step)
	if !ok {
		return fmt.Errorf("flows: unknown step %q", t.sess.Step)
	}
	return st.ask(t)
}

// goTo moves forward to step, remembering where Back leads.
func (t *turn) goTo(step string) error {
	if t.sess.Step != "" && t.sess.Step != step {
		t.sess.History = append(t.sess.History, t.sess.Step)
	}
	t.sess.Step = step
	return t.ask()
}

// back returns to the previous step; nothing entered is forgotten.
func (t *turn) back() error {
	h := t.sess.History
	if len(h) == 0 {
		return t.fail(t.T("err.no_back"))
	}
	t.sess.Step, t.sess.History = h[len(h)-1], h[:len(h)-1]
	if t.sess.Step == stepSummary || t.sess.Step == stepSeqSummary {
		t.sess.FromSummary, t.sess.Card = false, 0
	}
	return t.ask()
}

func (t *turn) cancelWizard() error {
	if sd := t.sess.Seq; sd != nil {
		t.sess, t.drop = &session{}, true
		t.say(t.T("seq.canceled", "Name", t.orDash(sd.Q.Name)), t.choice("/sequences", t.T("seq.btn.list")))
		return nil
	}
	name := t.sess.Draft.Name
	editing, was := t.sess.EditID, t.sess.EditStatus
	t.sess = &session{}
	t.drop = true
	if editing != "" {
		return t.restoreEdited(editing, was)
	}
	msg := t.T("wizard.canceled_unnamed")
	if name != "" {
		msg = t.T("wizard.canceled", "Name", name)
	}
	t.say(msg, t.choice("/new", t.T("btn.new")), t.choice("/list", t.T("btn.list")))
	return nil
}

// pressed is the choice pressed, or "" when the admin typed or uploaded.
func (t *turn) pressed() string { return t.in.Choice }

// text is what the admin typed, trimmed.
func (t *turn) text() string { return strings.TrimSpace(t.in.Text) }

func (t *turn) orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// audit records a change; a failure is logged, not shown, because the
// change itself already happened.
func (t *turn) audit(action, target, detail string) {
	err := t.e.cfg.Store.Audit(herald.AuditEntry{At: t.now, Actor: t.actor, Action: action, Target: target, Detail: detail})
	if err != nil {
		t.e.cfg.Logger.Error("flows: audit", "action", action, "target", target, "error", err)
	}
}

// when formats an instant in the admin's timezone.
func (t *turn) when(at time.Time) string {
	if at.IsZero() {
		return "—"
	}
	return t.T("time.zoned", "Time", at.In(t.tz).Format("2006-01-02 15:04"), "Zone", t.tz.String())
}

// restoreEdited puts a broadcast whose edit was canceled back in the
// status it had, so canceling an edit changes nothing.
func (t *turn) restoreEdited(id string, was herald.Status) error {
	b, err := t.e.cfg.Broadcasts.CancelEdit(t.ctx, id, was, t.who())
	switch {
	case errors.Is(err, herald.ErrNotFound):
		t.say(t.T("err.broadcast_gone", "ID", id))
		return nil
	case err != nil:
		return fmt.Errorf("flows: restore %s: %w", id, err)
	}
	if b.Status == herald.StatusDraft && was != "" && was != herald.StatusDraft {
		// It was paused: a draft is never paused again (resuming it would
		// skip confirm and approval), so it stays a draft, and we say so.
		t.say(t.T("wizard.canceled_edit_draft", "ID", id), t.choice("/edit "+id, t.T("btn.edit")), t.choice("/show "+id, t.T("btn.show")))
		return nil
	}
	t.say(t.T("wizard.canceled_edit", "ID", id, "Status", StatusName(t.loc, b.Status)), t.choice("/show "+id, t.T("btn.show")))
	return nil
}
