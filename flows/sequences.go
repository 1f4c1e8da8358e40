package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// Sequences is the sequences service (*sequences.Service): every change
// to a sequence is decided and audited there.
type Sequences interface {
	Create(ctx context.Context, actor string, q *herald.Sequence) error
	Update(ctx context.Context, actor, id string, fn func(q *herald.Sequence) error) (herald.Sequence, error)
	SetPaused(ctx context.Context, actor, id string, paused bool) (herald.Sequence, bool, error)
	Delete(ctx context.Context, actor, id string) (herald.Sequence, error)
	Get(id string) (herald.Sequence, error)
	List() ([]herald.Sequence, error)
	Stats(q *herald.Sequence) ([]herald.StepStats, error)
}

// sequenceCommand runs /sequence new|edit|pause|resume|delete ID.
func (t *turn) sequenceCommand(args string, inWizard bool) error {
	if t.e.cfg.Sequences == nil {
		t.say(t.T("seq.off"))
		return nil
	}
	sub, rest, _ := strings.Cut(args, " ")
	id, confirm, _ := strings.Cut(strings.TrimSpace(rest), " ")
	id = normalizeSequenceID(id)
	sub = strings.ToLower(sub)
	if (sub == "new" || sub == "edit") && inWizard {
		t.errLine = t.alreadyMaking()
		return t.ask()
	}
	if sub == "new" {
		return t.startSequence(nil)
	}
	if id == "" || !map[string]bool{"edit": true, "pause": true, "resume": true, "delete": true}[sub] {
		t.say(t.T("seq.usage"), t.choice("/sequences", t.T("seq.btn.list")))
		return nil
	}
	svc := t.e.cfg.Sequences
	q, ok, err := t.sequenceNamed(id)
	if !ok {
		return err
	}
	switch sub {
	case "edit":
		return t.startSequence(&q)
	case "pause", "resume":
		q, changed, err := svc.SetPaused(t.ctx, t.actor, id, sub == "pause")
		if err != nil {
			return err
		}
		key := map[[2]bool]string{{true, true}: "seq.paused", {true, false}: "seq.paused_already",
			{false, true}: "seq.resumed", {false, false}: "seq.resumed_already"}[[2]bool{sub == "pause", changed}]
		t.say(t.T(key, "ID", q.ID, "Name", q.Name), t.choice("/sequences", t.T("seq.btn.list")))
		return nil
	}
	if confirm != "yes" {
		t.say(t.T("seq.delete.ask", "ID", q.ID, "Name", q.Name, "People", q.Counts.Enrolled-q.Counts.Finished-q.Counts.Left),
			t.choice("/sequence delete "+q.ID+" yes", t.T("seq.btn.delete_yes")), t.choice("/sequences", t.T("seq.btn.keep")))
		return nil
	}
	if _, err := svc.Delete(t.ctx, t.actor, id); errors.Is(err, herald.ErrInvalidTransition) {
		t.say(t.T("err.seq.sending", "ID", q.ID), t.choice("/sequences", t.T("seq.btn.list")))
		return nil
	} else if err != nil {
		return err
	}
	t.say(t.T("seq.deleted", "ID", q.ID, "Name", q.Name), t.choice("/sequences", t.T("seq.btn.list")))
	return nil
}

func normalizeSequenceID(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s != "" && !strings.HasPrefix(s, "Q-") {
		s = "Q-" + s
	}
	return s
}

// /sequences pages: a page's text stays one Telegram message (4,096) and
// one Slack section (3,000 characters), its buttons (4 a sequence) within
// Slack's 25 a row and Telegram's 100.
const (
	seqPageMax   = 5
	seqPageChars = 3000
)

// sequences answers /sequences [page]: each sequence with its people and,
// per step, how many wait for it and how many it was sent to, failed for
// and were tapped by; buttons to edit, pause or resume and delete each.
func (t *turn) sequences(args string) error {
	if t.e.cfg.Sequences == nil {
		t.say(t.T("seq.off"))
		return nil
	}
	page := 1
	if n, err := strconv.Atoi(strings.TrimSpace(args)); err == nil && n > 0 {
		page = n
	}
	all, err := t.e.cfg.Sequences.List()
	if err != nil {
		return err
	}
	all = t.visibleSequences(all)
	if len(all) == 0 {
		t.say(t.T("seq.none"), t.choice("/sequence new", t.T("seq.btn.new")))
		return nil
	}
	pages, err := t.sequencePages(all)
	if err != nil {
		return err
	}
	if page > len(pages) {
		t.say(t.T("list.past_end", "Page", page), t.choice("/sequences", t.T("seq.btn.list")))
		return nil
	}
	title := t.T("seq.list.title")
	if len(pages) > 1 {
		title = t.T("seq.list.title_page", "Page", page, "Pages", len(pages))
	}
	var cs []Choice
	var b strings.Builder
	b.WriteString(title)
	for _, i := range pages[page-1] {
		q := &all[i.seq]
		b.WriteString("\n\n" + i.text)
		toggle := t.choice("/sequence pause "+q.ID, t.T("seq.btn.pause", "ID", q.ID))
		if q.Paused {
			toggle = t.choice("/sequence resume "+q.ID, t.T("seq.btn.resume", "ID", q.ID))
		}
		cs = append(cs, t.choice("/sequence edit "+q.ID, t.T("seq.btn.edit", "ID", q.ID)), toggle,
			t.choice("/log "+q.ID, t.T("seq.btn.log", "ID", q.ID)), t.choice("/sequence delete "+q.ID, t.T("seq.btn.delete", "ID", q.ID)))
	}
	if page < len(pages) {
		cs = append(cs, t.choice("/sequences "+strconv.Itoa(page+1), t.T("btn.next_page")))
	}
	cs = append(cs, t.choice("/sequence new", t.T("seq.btn.new")))
	t.say(b.String(), cs...)
	return nil
}

// seqEntry is one sequence's text in /sequences.
type seqEntry struct {
	seq  int
	text string
}

// sequencePages lays all out in pages of at most seqPageMax sequences and
// about seqPageChars characters (a longer sequence alone on its page).
func (t *turn) sequencePages(all []herald.Sequence) ([][]seqEntry, error) {
	var pages [][]seqEntry
	var cur []seqEntry
	size := 0
	for i := range all {
		text, err := t.sequenceEntry(&all[i])
		if err != nil {
			return nil, err
		}
		n := len([]rune(text))
		if len(cur) > 0 && (len(cur) == seqPageMax || size+n > seqPageChars) {
			pages, cur, size = append(pages, cur), nil, 0
		}
		cur, size = append(cur, seqEntry{i, text}), size+n
	}
	return append(pages, cur), nil
}

// sequenceEntry is q's headline and one line per step.
func (t *turn) sequenceEntry(q *herald.Sequence) (string, error) {
	stats, err := t.e.cfg.Sequences.Stats(q)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(t.seqHeadline(q) + t.reachLine(q))
	for j, st := range stats {
		b.WriteString("\n" + t.T("seq.list.step", "N", st.Step, "When", t.stepWhen(q.Steps[j].Delay, q.Steps[j].At),
			"Waiting", FormatCount(st.Waiting), "Sent", FormatCount(st.Sent), "Failed", FormatCount(st.Failed), "Tapped", FormatCount(st.Tapped)))
		if st.Stalled {
			b.WriteString("\n" + t.T("seq.list.stalled", "ID", q.ID))
		}
	}
	return b.String(), nil
}

// seqHeadline is a sequence's line in /sequences.
func (t *turn) seqHeadline(q *herald.Sequence) string {
	state := "▶️"
	if q.Paused {
		state = "⏸"
	}
	return t.T("seq.list.head", "State", state, "ID", q.ID, "Name", q.Name, "Trigger", t.triggerText(&q.Trigger),
		"In", FormatCount(q.Counts.Enrolled-q.Counts.Finished-q.Counts.Left), "Finished", FormatCount(q.Counts.Finished), "Left", FormatCount(q.Counts.Left))
}

func (t *turn) triggerText(tr *herald.Trigger) string {
	switch tr.Kind {
	case herald.TriggerTag:
		return t.T("seq.when.tag", "Tag", tr.Tag)
	case herald.TriggerTap:
		if b, err := t.e.cfg.Store.Broadcast(tr.Broadcast); err == nil {
			return t.T("seq.when.tap_named", "Name", b.Name, "ID", b.ID)
		}
		return t.T("seq.when.tap", "ID", tr.Broadcast) // deleted since
	case herald.TriggerEvent:
		return t.T("seq.when.event", "Event", tr.Event)
	}
	if tr.Channel != "" {
		return t.T("seq.when.follow_on", "Channel", t.followOnText(tr))
	}
	return t.T("seq.when.follow")
}

// stepWhen says when a step goes: "right away", "1 day later", "3 days
// later at 10:00 their time".
func (t *turn) stepWhen(delay time.Duration, at string) string {
	var after string
	switch {
	case delay == 0 && at == "":
		return t.T("seq.step.now")
	case delay == 0:
		return t.T("seq.step.at", "At", at)
	case delay%(24*time.Hour) == 0:
		after = t.N("duration.days", int(delay/(24*time.Hour)))
	default:
		after = WholeMinutes(t.loc, int64(delay/time.Minute))
	}
	if at == "" {
		return t.T("seq.step.later", "After", after)
	}
	return t.T("seq.step.later_at", "After", after, "At", at)
}

func askSeqSummary(t *turn) error {
	sd := t.sess.Seq
	q := &sd.Q
	var b strings.Builder
	b.WriteString(t.T("seq.summary.title", "Name", q.Name) + "\n" + t.T("seq.summary.trigger", "Trigger", t.triggerText(&q.Trigger)))
	for i, st := range q.Steps {
		b.WriteString("\n" + strconv.Itoa(i+1) + ". " + t.stepWhen(st.Delay, st.At) + " — " + t.stepGist(&st.Content))
	}
	exit := t.T("seq.summary.no_exit")
	if len(q.ExitTags) > 0 {
		exit = t.joinList(q.ExitTags)
	}
	b.WriteString("\n" + t.T("seq.summary.exit", "Tags", exit) + t.reachLine(q))
	var cs []Choice
	if sd.EditID != "" {
		cs = append(cs, t.choice("sq:save", t.T("seq.btn.save")))
	} else {
		cs = append(cs, t.choice("sq:on", t.T("seq.btn.activate")), t.choice("sq:off", t.T("seq.btn.save_paused")))
	}
	cs = append(cs, t.choice("sq:e:name", t.T("seq.btn.edit_name")), t.choice("sq:e:trigger", t.T("seq.btn.edit_trigger")))
	for i := range q.Steps {
		cs = append(cs, t.choice("sq:e:"+strconv.Itoa(i), t.T("seq.btn.edit_step", "N", i+1)))
	}
	if len(q.Steps) < herald.MaxSequenceSteps {
		cs = append(cs, t.choice("sq:e:add", t.T("seq.btn.add_step")))
	}
	if len(q.Steps) > 1 {
		cs = append(cs, t.choice("sq:e:drop", t.T("seq.btn.drop_step", "N", len(q.Steps))))
	}
	cs = append(append(cs, t.choice("sq:e:exit", t.T("seq.btn.edit_exit"))), t.reachButton(q)...)
	t.prompt(b.String(), ExpectChoice, cs...)
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}

func handleSeqSummary(t *turn) error {
	sd := t.sess.Seq
	p := t.pressed()
	switch {
	case p == "sq:on" || p == "sq:off" || p == "sq:save":
		return t.saveSequence(p == "sq:off")
	case p == "sq:e:drop" && len(sd.Q.Steps) > 1:
		sd.Q.Steps = sd.Q.Steps[:len(sd.Q.Steps)-1]
		return t.ask()
	case strings.HasPrefix(p, "sq:e:"):
		t.sess.FromSummary = true
		switch what := strings.TrimPrefix(p, "sq:e:"); what {
		case "name":
			return t.goTo(stepSeqName)
		case "trigger":
			return t.goTo(stepSeqTrigger)
		case "exit":
			return t.goTo(stepSeqExit)
		case "reach":
			return t.startReach()
		case "add":
			sd.Index = len(sd.Q.Steps)
			return t.goTo(stepSeqDelay)
		default:
			if i, err := strconv.Atoi(what); err == nil && i >= 0 && i < len(sd.Q.Steps) {
				sd.Index = i
				return t.goTo(stepSeqDelay)
			}
		}
	}
	return t.fail(t.T("err.pick_choice"))
}

// saveSequence creates the sequence (active, or paused) or saves the
// changes to the one being edited, and ends the wizard.
func (t *turn) saveSequence(paused bool) error {
	sd := t.sess.Seq
	q := sd.Q
	var err error
	if sd.EditID != "" {
		q, err = t.e.cfg.Sequences.Update(t.ctx, t.actor, sd.EditID, func(cur *herald.Sequence) error {
			cur.Name, cur.Trigger, cur.Steps, cur.ExitTags, cur.Accounts = sd.Q.Name, sd.Q.Trigger, sd.Q.Steps, sd.Q.ExitTags, sd.Q.Accounts
			return nil
		})
	} else {
		q.Paused = paused
		err = t.e.cfg.Sequences.Create(t.ctx, t.actor, &q)
	}
	var ve *herald.ValidationError
	if errors.As(err, &ve) {
		return t.fail(t.T("err.seq.invalid", "Field", ve.Field))
	}
	if errors.Is(err, herald.ErrNotFound) {
		return t.fail(t.T("err.seq.not_found", "ID", sd.EditID))
	}
	if err != nil {
		return err
	}
	t.sess = &session{}
	t.drop = true
	key := "seq.saved_on"
	switch {
	case sd.EditID != "":
		key = "seq.saved_changes"
	case paused:
		key = "seq.saved_off"
	}
	t.say(t.T(key, "ID", q.ID, "Name", q.Name), t.choice("/sequences", t.T("seq.btn.list")))
	return nil
}

// sequenceLog answers /log Q-…: who changed the sequence, and how.
func (m *manager) sequenceLog(id string) error {
	t := m.t
	q, ok, err := t.sequenceNamed(id)
	if !ok {
		return err
	}
	entries, err := m.reads.AuditLog(id, 20)
	if err != nil {
		return err
	}
	lines := []string{t.T("seq.log.title", "ID", q.ID, "Name", q.Name)}
	names := map[string]string{}
	for _, e := range entries {
		if e.Detail == q.Name {
			e.Detail = ""
		}
		lines = append(lines, m.auditLine(e, names))
	}
	t.say(strings.Join(lines, "\n"), t.choice("/sequences", t.T("seq.btn.list")))
	return nil
}

// stepGist is a step's message in a line: its text's first line, or what
// it is when it has no text (pictures alone: "🖼 Images").
func (t *turn) stepGist(c *herald.Content) string {
	if text := firstLine(herald.Markup(c.Text, c.Spans)); strings.TrimSpace(text) != "" {
		return asMarkup(text)
	}
	return t.T(contentKeys[c.Kind])
}
