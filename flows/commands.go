package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// listPage is how many broadcasts /list shows at once.
const listPage = 8

// command runs a slash command; the wizard session, if any, is kept.
func (t *turn) command(line string) error {
	name, args, _ := strings.Cut(line, " ")
	name = strings.ToLower(name)
	name, _, _ = strings.Cut(name, "@") // Telegram appends @botname in groups
	args = strings.TrimSpace(args)
	inWizard := t.sess.Step != ""
	loc := t.loc // /lang replaces it
	m := &manager{t: t, svc: t.e.cfg.Broadcasts, reads: t.e.cfg.Store, access: t.e.cfg.Access}
	var err error
	switch name {
	case "/new":
		if inWizard {
			t.errLine = t.alreadyMaking()
			return t.ask()
		}
		if args != "" {
			return t.newOneLine(args)
		}
		return t.startWizard()
	case "/cancel":
		if args == "" {
			if inWizard {
				return t.askCancel()
			}
			t.say(t.T("usage.id", "Command", "/cancel"))
			return nil
		}
		err = m.changeStatus("cancel", args)
	case "/list":
		err = t.list(args)
	case "/show":
		err = m.show(args)
	case "/pause", "/resume":
		err = m.changeStatus(name[1:], args)
	case "/approve":
		err = m.approve(args)
	case "/reject":
		err = m.reject(args)
	case "/edit":
		if inWizard {
			t.errLine = t.alreadyMaking()
			return t.ask()
		}
		return t.edit(args)
	case "/clone":
		if inWizard {
			t.errLine = t.alreadyMaking()
			return t.ask()
		}
		return t.clone(args)
	case "/delete", "/undo":
		err = m.unsend(name, args)
	case "/stats":
		err = t.stats(args)
	case "/errors":
		err = m.errorsOf(args)
	case "/retry":
		err = m.retry(args)
	case "/pick":
		err = m.pickVariant(args)
	case "/log":
		err = m.logOf(args)
	case "/sequences":
		err = t.sequences(args)
	case "/sequence":
		err = t.sequenceCommand(args, inWizard)
	case "/find":
		err = t.find(args)
	case "/audience":
		err = t.quickCount(args)
	case "/lang":
		err = t.setLang(args)
	case "/tz":
		err = t.setTimezone(args)
	case "/testme":
		err = t.testMe(args)
	case "/whoami", "/chatid": // /chatid answers in a group that is not an admin chat yet too
		t.whoAmI()
	case "/import":
		err = t.startImport(args)
	case "/export":
		err = t.export(args)
	case "/sync":
		err = t.syncFollowers(args)
	case "/help", "/start":
		t.help()
	default:
		t.unknownCommand(name, args)
	}
	if err != nil {
		return err
	}
	if inWizard && t.sess.Step != "" && t.loc != loc {
		return t.ask() // the step again, in the language just chosen
	}
	if inWizard && t.sess.Step != "" {
		t.say(t.unfinishedNote("wizard.waiting_unnamed", "wizard.waiting"), t.choice("wiz:again", t.T("btn.continue")))
	}
	return nil
}

// newOneLine turns `/new "text" to … on … at …` into a draft at the summary.
func (t *turn) newOneLine(args string) error {
	ol, perr := parseOneLine(args)
	if perr != nil {
		t.syntaxError(args, perr)
		return nil
	}
	d := herald.Broadcast{
		Name:     ol.Name,
		Origin:   herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName},
		Audience: herald.Audience{Channels: ol.Channels, Recipients: herald.Users, TagMatch: herald.AnyTag},
		Content:  herald.Content{Kind: herald.TextContent, Text: ol.Text},
	}
	if !t.in.Formatted { // Herald's markup in the quoted text (Telegram's entities do not fit inside it)
		d.Content.Text, d.Content.Spans = herald.ParseMarkup(ol.Text, t.in.Frontend == "slack")
	}
	if len(d.Audience.Channels) == 0 {
		t.everywhere(&d.Audience)
	} else if len(ol.Accounts) == 0 {
		t.withinOffered(&d.Audience)
	}
	slices.SortFunc(d.Audience.Channels, func(x, y herald.Platform) int {
		return slices.Index(herald.Platforms, x) - slices.Index(herald.Platforms, y)
	})
	for _, p := range d.Audience.Channels {
		if !containsPlatform(t.e.cfg.Channels, p) {
			t.syntaxError(args, &parseError{Pos: strings.Index(strings.ToLower(args), string(p)), Key: "err.syntax.channel_off", Args: []any{"Word", string(p)}})
			return nil
		}
	}
	if perr := t.e.resolveOnAccounts(&d.Audience, ol.Accounts); perr != nil {
		t.syntaxError(args, perr)
		return nil
	}
	if acc, bad := t.deniedAccount(&d.Audience); bad {
		t.say(t.denied(acc))
		return nil
	}
	if perr, err := t.resolveTerms(&d.Audience, ol.Terms); err != nil || perr != nil {
		if perr != nil {
			t.syntaxError(args, perr)
		}
		return err
	}
	if ol.Sample != nil {
		t.setSample(&d.Audience, ol.Sample)
	}
	if bad := unknownPlaceholder(ol.Text); bad != "" {
		t.syntaxError(args, &parseError{Pos: strings.Index(args, bad), Key: "err.text.placeholder", Args: []any{"Placeholder", bad}})
		return nil
	}
	if msg := t.textTooLong(&d, ol.Text); msg != "" {
		t.say(msg) // what the wizard says; the line itself is too long to show again
		return nil
	}
	if d.Audience.HasChannel(herald.Messenger) {
		d.Category = herald.Marketing
	}
	switch ol.Timing {
	case "now":
		d.Schedule = herald.Schedule{Kind: herald.SendNow}
	case "at", "user":
		at, werr := readWhen(ol.At, t.now, t.tz)
		if werr != nil {
			t.syntaxError(args, &parseError{Pos: ol.AtPos, Text: t.whenMessage(werr)})
			return nil
		}
		if msg := t.checkLocalLead(at); ol.Timing == "user" && msg != "" {
			t.syntaxError(args, &parseError{Pos: ol.AtPos, Text: msg})
			return nil
		}
		if msg := t.checkLead(at); ol.Timing == "at" && msg != "" {
			t.syntaxError(args, &parseError{Pos: ol.AtPos, Text: msg})
			return nil
		}
		d.Schedule = herald.Schedule{Kind: herald.SendAt, At: at.UTC()}
		if ol.Timing == "user" {
			d.Schedule = herald.Schedule{Kind: herald.SendUserLocal, Local: at.In(t.tz).Format(herald.LocalLayout)}
		}
	case "every":
		var until time.Time
		var runs int
		if ol.End != "" {
			var ok bool
			if until, runs, ok = parseRecurringEnd(ol.End, t.tz); !ok {
				t.syntaxError(args, &parseError{Pos: ol.EndPos, Text: t.T("err.recurring.end", "Until", t.exampleUntil())})
				return nil
			}
		}
		d.Schedule = herald.Schedule{Kind: herald.SendRecurring, Cron: "CRON_TZ=" + t.tz.String() + " " + ol.Cron, Until: until, MaxRuns: runs}
		if msg := t.timingLine(&d.Schedule, t.checkTiming(d.Schedule)); msg != "" {
			t.syntaxError(args, &parseError{Pos: strings.Index(strings.ToLower(args), "every"), Text: msg})
			return nil
		}
	}
	d.Schedule.Quiet = ol.Quiet
	if ol.AB != nil {
		if msg := t.oneLineAB(&d, ol.AB); msg != "" {
			t.syntaxError(args, &parseError{Pos: ol.AB.Pos, Text: msg})
			return nil
		}
	}
	t.sess = &session{Draft: d}
	return t.toSummary()
}

func containsPlatform(ps []herald.Platform, p herald.Platform) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// syntaxError shows the line with a caret under the mistake, the reason,
// and an example that works.
func (t *turn) syntaxError(src string, perr *parseError) {
	shown := "/new " + src
	t.replies = append(t.replies, Reply{Text: caret(shown, perr.Pos+len("/new ")), Pre: true})
	msg := perr.Text
	if msg == "" {
		msg = t.T(perr.Key, append([]any{"Example", t.exampleWhen()}, perr.Args...)...)
	}
	t.say(msg + "\n" + t.T("syntax.example", "Example", t.exampleWhen()))
}

// listFilters are the words /list accepts.
var listFilters = map[string][]herald.Status{
	"drafts": {herald.StatusDraft}, "draft": {herald.StatusDraft},
	"pending": {herald.StatusPending}, "scheduled": {herald.StatusScheduled},
	"sending": {herald.StatusSending}, "paused": {herald.StatusPaused},
	"completed": {herald.StatusCompleted}, "done": {herald.StatusCompleted},
	"canceled": {herald.StatusCanceled}, "cancelled": {herald.StatusCanceled},
	"failed": {herald.StatusFailed}, "all": nil,
}

// emptyStatusKeys say in a sentence that a status has no broadcasts
// ("No failed broadcasts."), for every status /list filters by, where
// "Broadcasts: failed: none" would read as a form.
var emptyStatusKeys = map[herald.Status]string{
	herald.StatusDraft: "list.empty_draft", herald.StatusPending: "list.empty_pending",
	herald.StatusScheduled: "list.empty_scheduled", herald.StatusSending: "list.empty_sending",
	herald.StatusPaused: "list.empty_paused", herald.StatusCompleted: "list.empty_completed",
	herald.StatusCanceled: "list.empty_canceled", herald.StatusFailed: "list.empty_failed",
}

func (t *turn) list(args string) error {
	f := strings.Fields(strings.ToLower(args))
	filter, page := "all", 1
	var kind *listKind
	for _, w := range f {
		if n, err := strconv.Atoi(w); err == nil && n > 0 {
			page = n
			continue
		}
		if k, ok := kindOf(w); ok {
			kind = &k
			continue
		}
		if _, ok := listFilters[w]; !ok {
			t.say(t.T("err.list_filter", "Word", w))
			return nil
		}
		filter = w
	}
	q := herald.BroadcastQuery{Statuses: listFilters[filter], Offset: (page - 1) * listPage, Limit: listPage + 1}
	whole := kind != nil || t.restricted()
	if whole {
		q.Offset, q.Limit = 0, 0 // a kind, or the accounts, are read from each broadcast
	}
	bs, err := t.e.cfg.Store.ListBroadcasts(q)
	if err != nil {
		return fmt.Errorf("flows: list: %w", err)
	}
	var labels []string
	if filter != "all" {
		labels = append(labels, StatusName(t.loc, listFilters[filter][0]))
	}
	words := filter
	if kind != nil {
		bs = slices.DeleteFunc(bs, func(b herald.Broadcast) bool { return !kind.is(t, &b) })
		labels = append(labels, t.T(kind.label))
		words += " " + kind.word
	}
	if t.restricted() { // only broadcasts to accounts they may use
		bs = slices.DeleteFunc(bs, func(b herald.Broadcast) bool { _, bad := t.deniedAccount(&b.Audience); return bad })
	}
	if whole {
		bs = bs[min(len(bs), (page-1)*listPage):]
	}
	switch {
	case len(bs) == 0 && page > 1: // past the last page: the list itself has some
		t.say(t.T("list.past_end", "Page", page), t.choice(strings.TrimSpace("/list "+strings.TrimPrefix(words, "all")), t.T("btn.list")))
		return nil
	case len(bs) == 0 && len(labels) > 0: // none of this kind or status, not none at all
		text := t.T("list.empty_filtered", "Filter", t.joinList(labels))
		switch { // a status or a kind alone (the list has some): its own sentence
		case kind == nil:
			text = t.T(emptyStatusKeys[listFilters[filter][0]])
		case filter == "all":
			text = t.T(kind.empty)
		}
		t.say(text, append([]Choice{t.choice("/list", t.T("btn.list"))}, t.kindChoices(kind)...)...)
		return nil
	case len(bs) == 0:
		t.say(t.T("list.empty"), append([]Choice{t.choice("/new", t.T("btn.new"))}, t.kindChoices(kind)...)...)
		return nil
	}
	more := len(bs) > listPage
	bs = bs[:min(len(bs), listPage)]
	var b strings.Builder
	title := t.T("list.title", "Page", page)
	if len(labels) > 0 {
		title = t.T("list.title_filtered", "Page", page, "Filter", t.joinList(labels))
	}
	b.WriteString(title + "\n")
	var cs []Choice
	for _, x := range bs {
		b.WriteString(t.listLine(&x) + "\n")
		cs = append(cs, t.choice("/show "+x.ID, x.ID))
	}
	if more {
		cs = append(cs, t.choice(fmt.Sprintf("/list %s %d", words, page+1), t.T("btn.next_page")))
	}
	t.say(strings.TrimRight(b.String(), "\n"), append(cs, t.kindChoices(kind)...)...)
	return nil
}

func (t *turn) listLine(x *herald.Broadcast) string {
	return fmt.Sprintf("%s · %s · %s · %s", x.ID, x.Name, StatusName(t.loc, x.Status), t.shortSchedule(&x.Schedule))
}

func (t *turn) shortSchedule(s *herald.Schedule) string {
	switch s.Kind {
	case herald.SendNow, herald.SendAt:
		return t.when(s.At)
	case herald.SendUserLocal:
		return t.T("schedule.user_short", "When", s.Local)
	case herald.SendRecurring:
		return t.cronWords(s.Cron)
	}
	return "—"
}

func (t *turn) quickCount(args string) error {
	a := herald.Audience{Recipients: herald.Users, TagMatch: herald.AnyTag}
	t.everywhere(&a)
	if args != "" {
		// Same words as /new's "to … on …" clauses.
		ol, perr := targetLine(args)
		if perr == nil {
			if len(ol.Channels) > 0 {
				a.Channels, a.Accounts = ol.Channels, nil
				if len(ol.Accounts) == 0 {
					t.withinOffered(&a)
				}
				perr = t.e.resolveOnAccounts(&a, ol.Accounts)
			}
			var err error
			if perr == nil {
				perr, err = t.resolveTerms(&a, ol.Terms)
			}
			if err != nil {
				return err
			}
		}
		if perr != nil {
			t.replies = append(t.replies, Reply{Text: caret("/audience "+args, perr.Pos+len("/audience ")), Pre: true})
			t.say(t.sentences(t.T(perr.Key, perr.Args...), t.T("err.audience.example")))
			return nil
		}
	}
	if acc, bad := t.deniedAccount(&a); bad {
		t.say(t.denied(acc))
		return nil
	}
	d := herald.Broadcast{Audience: a}
	cnt, err := t.count(&d)
	if err != nil {
		return err
	}
	t.say(t.describeAudience(&a)+"\n"+t.countText(&d, cnt)+t.groupsNote(&a), t.choice("/new", t.T("btn.new")))
	return nil
}

// alreadyMaking says which broadcast the wizard is busy with, or that it
// has no name yet (rather than quoting a dash).
func (t *turn) alreadyMaking() string {
	if t.sess.Seq != nil {
		return t.T("seq.already", "Name", t.orDash(t.sess.Seq.Q.Name))
	}
	if strings.TrimSpace(t.sess.Draft.Name) == "" {
		return t.T("wizard.already_unnamed")
	}
	return t.T("wizard.already", "Name", t.sess.Draft.Name)
}
