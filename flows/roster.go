package flows

import (
	"bytes"
	"errors"
	"fmt"
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
	b.WriteString(t.T("import.done", "Rows", FormatCount(rep.Rows), "Created", FormatCount(rep.Created), "Updated", FormatCount(rep.Updated),
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
			b, err := t.e.cfg.Store.Broadcast(strings.ToUpper(w))
			if errors.Is(err, herald.ErrNotFound) {
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
	t.replies = append(t.replies, Reply{Text: t.N("export.done", n),
		File: &File{Name: name + ".csv", ContentType: "text/csv", Data: buf.Bytes()}})
	return nil
}

// syncFollowers answers /sync line: LINE followers Herald has not met.
func (t *turn) syncFollowers(args string) error {
	p, err := herald.ParsePlatform(args)
	if err != nil || p != herald.LINE {
		t.say(t.T("sync.usage"))
		return nil
	}
	if t.e.cfg.Roster == nil || t.e.cfg.LINEFollowers == nil {
		t.say(t.T("sync.off"))
		return nil
	}
	rep, err := roster.Sync(t.ctx, t.e.cfg.Roster, herald.LINE, t.e.cfg.LINEFollowers)
	if errors.Is(err, herald.ErrForbidden) {
		t.say(t.T("sync.forbidden"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: sync line: %w", err)
	}
	t.say(t.T("sync.done", "Followers", FormatCount(rep.Followers), "Added", FormatCount(rep.Added), "Known", FormatCount(rep.Known),
		"NoProfile", FormatCount(rep.NoProfile)))
	return nil
}
