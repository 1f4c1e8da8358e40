package flows

import (
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

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
