package flows

import (
	"context"
	"fmt"
	"github.com/heraldbot/herald/audience/roster"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/line"
	"github.com/heraldbot/herald/platformtest"
)

func TestImportInTheChat(t *testing.T) {
	h := newHarness(t)
	h.cfg.Roster = h.store.(Roster)
	h.newEngine()
	rs := h.send("/import line")
	if len(rs) != 1 || rs[0].Expect != ExpectFile || !strings.Contains(rs[0].Text, "CSV or NDJSON") {
		t.Fatalf("/import answered %+v", rs)
	}
	file := "\ufeffuser_id;name;tags\r\nUimp1;Amy;vip\r\n;Nobody;\r\ntelegram:777;Bo;\r\nUimp2;Cy;\"a|b\"\r\n"
	rs = h.upload("crm.csv", "text/csv", []byte(file))
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "4 rows — 3 new, 0 updated, 0 unchanged, 1 skipped") ||
		!strings.Contains(rs[0].Text, "line 3: no ID") {
		t.Fatalf("import report: %+v", rs)
	}
	if f := rs[0].File; f == nil || string(f.Data) != "line,reason,row\n3,no_id,;Nobody;\n" {
		t.Errorf("rejected lines file: %+v", rs[0].File)
	}
	sub, err := h.store.(Roster).Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "777"})
	if err != nil || !sub.Imported {
		t.Errorf("telegram:777 = %+v, %v", sub, err)
	}
	// The wait ends with the file: the next upload is not an import.
	rs = h.upload("crm.csv", "text/csv", []byte(file))
	if strings.Contains(rs[0].Text, "Import done") {
		t.Errorf("a second file without /import was imported: %q", rs[0].Text)
	}

	// A picture is no list: nothing is imported, the wait goes on, and
	// the list sent next is imported (one row, said in the singular).
	h.send("/import line")
	rs = h.upload("photo.png", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	mustContain(t, rs, "“photo.png” isn't a CSV or NDJSON file (it looks like image/png)", "I'm still waiting")
	if rs[0].Expect != ExpectFile {
		t.Errorf("after a picture, /import expects %v, want a file", rs[0].Expect)
	}
	mustContain(t, h.upload("one.csv", "text/csv", []byte("id,name\nUone,Una\n")), "Import done: 1 row — 1 new")

	rs = h.send("/export line tag:vip")
	if len(rs) != 1 || rs[0].File == nil || !strings.Contains(rs[0].Text, "subscriber") {
		t.Fatalf("/export answered %+v", rs)
	}
	if csv := string(rs[0].File.Data); !strings.Contains(csv, "line,Uimp1,Amy,vip,") || strings.Contains(csv, "Uimp2") {
		t.Errorf("export of line tag:vip:\n%s", csv)
	}
	// Without a state it is everyone, blocked too, and says so (it is not
	// /audience's count); with one, or a broadcast's ID, it needs no note.
	mustContain(t, rs, "whatever their state", "/export subscribed keeps only")
	if rs := h.send("/export subscribed"); strings.Contains(rs[0].Text, "whatever their state") {
		t.Errorf("/export subscribed: %q", rs[0].Text)
	}
	mustContain(t, h.send("/export B-ZZZZ"), "There's no broadcast B-ZZZZ. Check the ID with /list.")
	mustContain(t, h.send("/export b-1"), "“b-1” isn't a broadcast ID")
	if rs := h.send("/export nonsense"); !strings.Contains(rs[0].Text, "“nonsense” is neither") {
		t.Errorf("/export nonsense: %q", rs[0].Text)
	}
}

// interims records what a long command posts before its answer.
type interims struct{ said []string }

func (i *interims) Say(_ context.Context, _ herald.Origin, r Reply) { i.said = append(i.said, r.Text) }

func TestImportShowsProgress(t *testing.T) {
	defer func(n int) { importProgressEvery = n }(importProgressEvery)
	importProgressEvery = 1000
	said := &interims{}
	h := newHarness(t, func(c *Config) { c.Interim = said })
	h.cfg.Roster = h.store.(Roster)
	h.newEngine()
	h.send("/import telegram")
	file := []byte("id\n")
	for i := range 2500 {
		file = fmt.Appendf(file, "%d\n", 700000+i) // none the harness knows
	}
	rs := h.upload("big.csv", "text/csv", file)
	mustContain(t, rs, "2,500 rows — 2,500 new")
	want := []string{"⏳ Importing… 1,000 rows read: 1,000 new, 0 updated, 0 skipped so far.", "⏳ Importing… 2,000 rows read: 2,000 new, 0 updated, 0 skipped so far."}
	if !slices.Equal(said.said, want) {
		t.Errorf("progress messages = %q; want %q", said.said, want)
	}
}

func TestSyncLINEInTheChat(t *testing.T) {
	fake := platformtest.NewLINE(platformtest.NewRecorder(time.Now))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	src, err := line.NewFollowers("token", srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	fake.AddFollowers("Ufollow1", "Ufollow2")
	h := newHarness(t, func(c *Config) { c.LINEFollowers = map[string]roster.FollowerSource{"": src} })
	h.cfg.Roster = h.store.(Roster)
	h.newEngine()
	if rs := h.send("/sync line"); !strings.Contains(rs[0].Text, "LINE followers: 2 — 2 added, 0 already known") {
		t.Errorf("/sync line: %q", rs[0].Text)
	}
	fake.DenyFollowers()
	if rs := h.send("/sync line"); !strings.Contains(rs[0].Text, "only for verified and premium accounts") {
		t.Errorf("/sync line on an unverified account: %q", rs[0].Text)
	}
}

// On a bot with two LINE channels, /sync line syncs each into its own
// account and says so line by line; /sync line:shop syncs one; a channel
// LINE does not let list its friends is named; a restricted admin syncs
// only theirs.
func TestSyncEachLINEAccount(t *testing.T) {
	fake := platformtest.NewLINE(platformtest.NewRecorder(time.Now))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	srcs := map[string]roster.FollowerSource{}
	for name, token := range map[string]string{"": "main-token", "shop": "shop-token"} {
		src, err := line.NewFollowers(token, srv.URL, srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		srcs[name] = src
	}
	fake.AddChannelFollowers("main-token", "Umain1", "Umain2")
	fake.AddChannelFollowers("shop-token", "Ushop1", "Umain1", "Ushop3")
	h := newHarness(t, twoLINE, func(c *Config) {
		c.LINEFollowers = srcs
		c.AdminAccounts = map[string][]herald.Account{AdminKey("console", "bob"): {{Platform: herald.LINE, Name: "shop"}}}
	})
	h.cfg.Roster = h.store.(Roster)
	h.newEngine()
	rs := h.send("/sync line")
	mustContain(t, rs, "🔄 LINE · Main followers: 2 — 2 added, 0 already known, 0 without a profile.\n"+
		"🔄 LINE · Shop followers: 3 — 3 added, 0 already known, 0 without a profile.")
	if _, err := h.store.Subscriber(herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "Umain1"}); err != nil {
		t.Errorf("Umain1 follows the shop too but is not its subscriber: %v", err)
	}
	fake.AddChannelFollowers("shop-token", "Ushop4")
	rs = h.send("/sync line:shop")
	mustContain(t, rs, "🔄 LINE · Shop followers: 4 — 1 added, 3 already known")
	if strings.Contains(rs[0].Text, "LINE · Main") {
		t.Errorf("/sync line:shop synced the main channel too: %q", rs[0].Text)
	}
	mustContain(t, h.send("/sync line:outlet"), "“line:outlet” isn't an account here. Choose from: line:main, line:shop.")
	mustContain(t, h.send("/sync"), "Write /sync line for every LINE account, or name one: line:main, line:shop.")
	h.user = "bob"
	rs = h.send("/sync line")
	if !strings.Contains(rs[0].Text, "LINE · Shop followers: 4") || strings.Contains(rs[0].Text, "LINE · Main") {
		t.Errorf("Bob's /sync line: %q; want LINE · Shop alone", rs[0].Text)
	}
	mustContain(t, h.send("/sync line:main"), "You can't send from LINE · Main. Your accounts: LINE · Shop.")
	fake.DenyFollowers()
	mustContain(t, h.send("/sync line:shop"), "🔄 LINE · Shop: not synced — LINE lists followers only for verified and premium accounts")
}

// The wizard's count says imported Messenger users never wrote, rather
// than "not in the last 24 hours": only their own message opens the window.
func TestWizardSaysImportedMessengerUsersNeverWrote(t *testing.T) {
	h := newHarness(t)
	h.cfg.Roster = h.store.(Roster)
	h.newEngine()
	h.send("/import messenger")
	mustContain(t, h.upload("page.csv", "text/csv", []byte("psid\n9009\n9010\n")), "2 new")
	h.send("/new")
	h.send("Page news")
	h.press("ch:messenger")
	rs := h.press(choiceDone)
	mustContain(t, rs, "Note: 3 Messenger users haven't written in the last 24 hours")
	mustContain(t, rs, "2 of them never wrote to the page (imported or added through the API)")
}

// /export ID audits a broadcast: the CSV is who its audience reaches, as
// many as /audience counts for the same terms, and no one else.
func TestExportOfABroadcastsAudience(t *testing.T) {
	h := newHarness(t)
	h.cfg.Roster = h.store.(Roster)
	h.newEngine()
	b := h.scheduleOne("Audit me")
	rs := h.send("/export " + strings.ToLower(b.ID))
	if len(rs) != 1 || rs[0].File == nil || rs[0].File.Name != b.ID+".csv" {
		t.Fatalf("/export %s answered %+v", b.ID, rs)
	}
	rows := strings.Split(strings.TrimSpace(string(rs[0].File.Data)), "\n")[1:]
	if len(rows) == 0 {
		t.Fatal("the broadcast's audience exported empty")
	}
	for _, row := range rows {
		if !strings.HasPrefix(row, "line,") || !strings.Contains(row, "vip") {
			t.Errorf("%s (tag:vip on line) exports %q", b.ID, row)
		}
	}
	mustContain(t, rs, fmt.Sprintf("📤 %d subscribers in the attached CSV.", len(rows)))
	if strings.Contains(rs[0].Text, "whatever their state") {
		t.Errorf("/export %s notes all states: %q", b.ID, rs[0].Text)
	}
	mustContain(t, h.send("/audience tag:vip on line"), fmt.Sprintf("👥 %d recipients — LINE %d", len(rows), len(rows)))
}
