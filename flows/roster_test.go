package flows

import (
	"context"
	"fmt"
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

	rs = h.send("/export line tag:vip")
	if len(rs) != 1 || rs[0].File == nil || !strings.Contains(rs[0].Text, "subscriber") {
		t.Fatalf("/export answered %+v", rs)
	}
	if csv := string(rs[0].File.Data); !strings.Contains(csv, "line,Uimp1,Amy,vip,") || strings.Contains(csv, "Uimp2") {
		t.Errorf("export of line tag:vip:\n%s", csv)
	}
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
	h := newHarness(t, func(c *Config) { c.LINEFollowers = src })
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
	mustContain(t, rs, fmt.Sprintf("📤 %d subscribers", len(rows)))
	mustContain(t, h.send("/audience tag:vip on line"), fmt.Sprintf("👥 %d recipients — LINE %d", len(rows), len(rows)))
}
