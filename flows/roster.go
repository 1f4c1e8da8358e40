package flows

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
)

// Roster is what /import, /export and /sync need of storage
// (*storage.Store): the grouped upsert, lookups and a stream of everyone.
type Roster interface {
	roster.SyncStore
	roster.Lister
}

// awaitImport marks a session whose next file is a subscriber import;
// what follows the colon is the platform of rows that name none.
const awaitImport = "import:"

// importProgressEvery is how many rows pass between two progress
// messages of an import in the chat (a variable for tests).
var importProgressEvery = 50_000

// importShown bounds the skipped lines named in the chat; the attached
// CSV lists them all.
const importShown = 10

// reasonKeys names each skipped-row reason's message.
var reasonKeys = map[roster.Reason]string{
	roster.ReasonBadQuotes:   "import.reason.bad_quotes",
	roster.ReasonTooLong:     "import.reason.too_long",
	roster.ReasonNotUTF8:     "import.reason.not_utf8",
	roster.ReasonNoID:        "import.reason.no_id",
	roster.ReasonBadID:       "import.reason.bad_id",
	roster.ReasonNotNumber:   "import.reason.not_a_number",
	roster.ReasonNoPlatform:  "import.reason.no_platform",
	roster.ReasonBadPlatform: "import.reason.bad_platform",
	roster.ReasonBadTimezone: "import.reason.bad_timezone",
	roster.ReasonBadLocale:   "import.reason.bad_locale",
	roster.ReasonBadJSON:     "import.reason.bad_json",
	roster.ReasonInvalid:     "import.reason.invalid",
}

// startImport answers /import [platform]: the next file uploaded is a
// subscriber list.
func (t *turn) startImport(args string) error {
	if t.e.cfg.Roster == nil {
		t.say(t.T("import.off"))
		return nil
	}
	var def herald.Platform
	if args != "" {
		p, err := herald.ParsePlatform(args)
		if err != nil {
			t.say(t.T("import.bad_platform", "Word", args))
			return nil
		}
		def = p
	}
	t.sess.Awaiting = awaitImport + string(def)
	t.replies = append(t.replies, Reply{Text: t.T("import.ask"), Expect: ExpectFile})
	return nil
}

// awaited handles the input a session waits for outside the wizard (the
// file after /import); handled is false when the input is something else,
// which ends the wait.
func (t *turn) awaited() (handled bool, err error) {
	def, ok := strings.CutPrefix(t.sess.Awaiting, awaitImport)
	t.sess.Awaiting = ""
	if !ok || t.in.File == nil {
		return false, nil
	}
	return true, t.importFile(herald.Platform(def), t.in.File)
}

func (t *turn) importFile(def herald.Platform, f *File) error {
	if kind := notAList(f); kind != "" {
		// A picture or a spreadsheet would be "imported" as every line
		// skipped: say what to send instead, and keep waiting for it.
		t.sess.Awaiting = awaitImport + string(def)
		t.replies = append(t.replies, Reply{Text: t.T("import.not_a_list", "Name", f.Name, "Kind", kind), Expect: ExpectFile})
		return nil
	}
	opts := roster.Options{Platform: def, ProgressEvery: importProgressEvery}
	if say := t.e.cfg.Interim; say != nil {
		where := herald.Origin{Frontend: t.in.Frontend, ChatID: t.in.ChatID, UserID: t.in.UserID, UserName: t.in.UserName}
		opts.Progress = func(r roster.Report) {
			say.Say(t.ctx, where, Reply{Text: t.T("import.progress", "Rows", FormatCount(r.Rows), "Created", FormatCount(r.Created), "Updated", FormatCount(r.Updated),
				"Skipped", FormatCount(len(r.Skipped)))})
		}
	}
	rep, err := roster.Import(t.ctx, t.e.cfg.Roster, bytes.NewReader(f.Data), opts)
	if err != nil {
		return fmt.Errorf("flows: import %s: %w", f.Name, err)
	}
	_ = t.e.cfg.Store.Audit(herald.AuditEntry{At: t.now, Actor: t.actor, Action: "subscribers.import", Detail: f.Name + ": " + rep.String()})
	var b strings.Builder
	b.WriteString(t.N("import.done", rep.Rows, "Rows", FormatCount(rep.Rows), "Created", FormatCount(rep.Created), "Updated", FormatCount(rep.Updated),
		"Unchanged", FormatCount(rep.Unchanged), "Skipped", FormatCount(len(rep.Skipped))))
	for _, rc := range rep.ReasonCounts() {
		b.WriteString("\n" + t.T("count.item", "What", t.T(reasonKeys[rc.Reason]), "Count", FormatCount(rc.Count)))
	}
	for i, s := range rep.Skipped {
		if i == importShown {
			b.WriteString("\n" + t.T("import.more", "N", FormatCount(len(rep.Skipped)-importShown)))
			break
		}
		b.WriteString("\n" + t.T("import.line", "Line", s.Line, "Reason", t.T(reasonKeys[s.Reason])))
	}
	r := Reply{Text: b.String()}
	if len(rep.Skipped) > 0 {
		var csv bytes.Buffer
		if err := rep.WriteRejected(&csv); err != nil {
			return err
		}
		r.File = &File{Name: "rejected-" + strings.TrimSuffix(f.Name, path.Ext(f.Name)) + ".csv", ContentType: "text/csv", Data: csv.Bytes()}
	}
	t.replies = append(t.replies, r)
	return nil
}

// notAList is the kind of a file sent to /import when it plainly is no
// CSV or NDJSON list (an image, an Excel workbook, a PDF: not text by its
// first bytes), else "". Text in another encoding passes: its lines are
// skipped with how to save it as UTF-8.
func notAList(f *File) string {
	kind, _, _ := strings.Cut(http.DetectContentType(f.Data), ";")
	if strings.HasPrefix(kind, "text/") {
		return ""
	}
	return kind
}

// export answers /export [line|telegram|messenger] [tag:X] [subscribed|
// unsubscribed|blocked], or /export ID for who that broadcast will reach:
// a CSV to audit the audience.
func (t *turn) export(args string) error {
	if t.e.cfg.Roster == nil {
		t.say(t.T("import.off"))
		return nil
	}
	f := roster.Filter{Now: t.now}
	name := "subscribers"
	for _, w := range strings.Fields(args) {
		lw := strings.ToLower(w)
		switch {
		case strings.HasPrefix(lw, "tag:"), strings.HasPrefix(lw, "#"):
			f.Tag = strings.TrimPrefix(strings.TrimPrefix(lw, "tag:"), "#")
		case lw == string(herald.Subscribed), lw == string(herald.Unsubscribed), lw == string(herald.Blocked):
			f.State = herald.SubscriberState(lw)
		default:
			if p, err := herald.ParsePlatform(w); err == nil {
				f.Platform = p
				continue
			}
			// A word typed as an ID ("B-…") that names no broadcast is said
			// so; any other unknown word gets the usage.
			id, typedID := herald.NormalizeBroadcastID(w), strings.HasPrefix(lw, "b-")
			var b herald.Broadcast
			err := herald.ErrNotFound
			if id != "" {
				b, err = t.e.cfg.Store.Broadcast(id)
			}
			switch {
			case typedID && id == "":
				t.say(t.T("err.not_an_id", "Text", w), t.choice("/list", t.T("btn.list")))
				return nil
			case typedID && errors.Is(err, herald.ErrNotFound):
				t.say(t.T("err.not_found", "ID", id), t.choice("/list", t.T("btn.list")))
				return nil
			case errors.Is(err, herald.ErrNotFound):
				t.say(t.T("export.usage", "Word", w))
				return nil
			}
			if err != nil {
				return fmt.Errorf("flows: export: %w", err)
			}
			f.Audience, name = &b.Audience, b.ID
		}
	}
	var buf bytes.Buffer
	n, err := roster.Export(&buf, t.e.cfg.Roster, f)
	if err != nil {
		return fmt.Errorf("flows: export: %w", err)
	}
	text := t.N("export.done", n)
	if f.State == "" && f.Audience == nil {
		// Not /audience's count: the blocked and unsubscribed are in too.
		text = t.sentences(text, t.T("export.all_states"))
	}
	t.replies = append(t.replies, Reply{Text: text,
		File: &File{Name: name + ".csv", ContentType: "text/csv", Data: buf.Bytes()}})
	return nil
}

// syncFollowers answers /sync line (every LINE account the admin may
// use) or /sync line:shop (one): LINE followers Herald has not met, one
// line per account.
func (t *turn) syncFollowers(args string) error {
	acc, err := herald.ParseAccount(args)
	if err != nil || acc.Platform != herald.LINE {
		t.say(t.syncUsage())
		return nil
	}
	if t.e.cfg.Roster == nil || len(t.e.cfg.LINEFollowers) == 0 {
		t.say(t.T("sync.off"))
		return nil
	}
	var accs []herald.Account
	if _, named, _ := strings.Cut(strings.NewReplacer("/", ":", "@", ":", "·", ":").Replace(args), ":"); strings.TrimSpace(named) != "" {
		found, ok := t.e.resolveAccount(herald.LINE, named)
		if !ok {
			t.say(t.T("err.account_unknown", "Name", strings.TrimSpace(args), "Options", t.joinList(t.e.accountNames(herald.LINE))))
			return nil
		}
		accs = append(accs, found)
	} else {
		for _, a := range t.offered(herald.LINE) {
			accs = append(accs, a.Account)
		}
	}
	switch {
	case len(accs) == 0:
		t.say(t.denied(herald.Account{Platform: herald.LINE}))
		return nil
	case !t.mayUse(accs[0]):
		t.say(t.denied(accs[0]))
		return nil
	}
	var lines []string
	for _, acc := range accs {
		line, err := t.syncAccount(acc)
		if err != nil {
			return err
		}
		lines = append(lines, line)
	}
	t.say(strings.Join(lines, "\n"))
	return nil
}

// syncAccount syncs one LINE account's followers and says what it did.
func (t *turn) syncAccount(acc herald.Account) (string, error) {
	label := t.e.accountLabel(acc)
	src := t.e.cfg.LINEFollowers[acc.Name]
	if src == nil {
		return t.T("sync.account_off", "Account", label), nil
	}
	rep, err := roster.Sync(t.ctx, t.e.cfg.Roster, acc, src)
	switch {
	case errors.Is(err, herald.ErrForbidden) && t.e.multiAccount(herald.LINE):
		return t.T("sync.forbidden_account", "Account", label), nil
	case errors.Is(err, herald.ErrForbidden):
		return t.T("sync.forbidden"), nil
	case err != nil:
		return "", fmt.Errorf("flows: sync %s: %w", acc, err)
	}
	return t.T("sync.done", "Account", label, "Followers", FormatCount(rep.Followers), "Added", FormatCount(rep.Added), "Known", FormatCount(rep.Known),
		"NoProfile", FormatCount(rep.NoProfile)), nil
}

// syncUsage says how to write /sync, with the LINE accounts to name on a
// bot with several.
func (t *turn) syncUsage() string {
	if !t.e.multiAccount(herald.LINE) {
		return t.T("sync.usage")
	}
	return t.T("sync.usage_accounts", "Options", t.joinList(t.e.accountNames(herald.LINE)))
}
