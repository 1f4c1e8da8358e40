package roster_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
	"github.com/heraldbot/herald/storage"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func openStore(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(filepath.Join(t.TempDir(), "herald.db"), storage.Options{Now: func() time.Time { return t0 }, TrimEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importString(t *testing.T, s *storage.Store, file string, def herald.Platform) roster.Report {
	t.Helper()
	rep, err := roster.Import(context.Background(), s, strings.NewReader(file), roster.Options{Platform: def, Batch: 3})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return rep
}

// A CRM export as Excel writes it in Europe: BOM, ";" separators, CRLF,
// quoted cells, columns in its own order with aliases, several platforms
// in one file, and a few rows no one could import.
const crmFile = "\ufeffName;PSID;Platform;Tags;TZ;Language;attr.plan\r\n" +
	"\"Amy; the first\";U100;line;\"vip|trial\";Asia/Taipei;zh-TW;gold\r\n" +
	"Bo;4242;telegram;;;;\r\n" +
	"Cy;-100777;tg;staff;;;\r\n" +
	"Di;;line;;;;\r\n" +
	"Ed;U101;fax;;;;\r\n" +
	"Fay;U102;line;;Mars/Olympus;;\r\n" +
	"Gus;\"U1\"03;line;;;;\r\n" +
	"Hal;7001;messenger;VIP;Europe/Paris;fr;\r\n" +
	"Ida;U 104;line;;;;\r\n" +
	"Jo;@jo_handle;telegram;;;;\r\n"

func TestImportReportsEveryRow(t *testing.T) {
	s := openStore(t)
	// Someone Herald already knows, who blocked the bot: the import adds
	// tags but never makes them reachable again.
	if _, err := s.UpdateSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U100"}, func(sub *herald.Subscriber, _ bool) error {
		sub.Kind, sub.State, sub.Tags, sub.LastInteraction = herald.KindUser, herald.Blocked, []string{"old"}, t0.Add(-time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rep := importString(t, s, crmFile, "")
	want := roster.Report{Format: "csv", Rows: 10, Created: 3, Updated: 1, Skipped: []roster.Rejected{
		{Line: 5, Reason: roster.ReasonNoID, Raw: "Di;;line;;;;"},
		{Line: 6, Reason: roster.ReasonBadPlatform, Raw: "Ed;U101;fax;;;;"},
		{Line: 7, Reason: roster.ReasonBadTimezone, Raw: "Fay;U102;line;;Mars/Olympus;;"},
		{Line: 8, Reason: roster.ReasonBadQuotes, Raw: "Gus;\"U1\"03;line;;;;"},
		{Line: 10, Reason: roster.ReasonBadID, Raw: "Ida;U 104;line;;;;"},
		{Line: 11, Reason: roster.ReasonNotNumber, Raw: "Jo;@jo_handle;telegram;;;;"},
	}}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Fatalf("report (-want +got):\n%s", diff)
	}
	amy, _ := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U100"})
	if amy.Name != "Amy; the first" || !cmp.Equal(amy.Tags, []string{"old", "trial", "vip"}) || amy.State != herald.Blocked ||
		amy.Imported || amy.Timezone != "Asia/Taipei" || amy.Attributes["plan"] != "gold" || !amy.LastInteraction.Equal(t0.Add(-time.Hour)) {
		t.Errorf("known subscriber after import = %+v; want name, tags merged, still blocked, not marked imported", amy)
	}
	group, _ := s.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "-100777"})
	hal, _ := s.Subscriber(herald.SubscriberKey{Platform: herald.Messenger, ID: "7001"})
	if group.Kind != herald.KindGroup || hal.Kind != herald.KindUser || !hal.Imported || !hal.LastInteraction.IsZero() ||
		!cmp.Equal(hal.Tags, []string{"vip"}) || hal.Locale != "fr" {
		t.Errorf("new subscribers: group %+v, hal %+v", group, hal)
	}

	again := importString(t, s, crmFile, "")
	if again.Created != 0 || again.Updated != 0 || again.Unchanged != 4 || len(again.Skipped) != 6 {
		t.Errorf("second import of the same file: %s; want 4 unchanged, 6 skipped", again.String())
	}

	var csv bytes.Buffer
	if err := rep.WriteRejected(&csv); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csv.String(), "line,reason,row\n5,no_id,Di;;line;;;;\n") || strings.Count(csv.String(), "\n") != 7 {
		t.Errorf("rejected rows CSV:\n%s", csv.String())
	}
}

func TestImportWithoutHeaderOrPlatformColumn(t *testing.T) {
	s := openStore(t)
	rep := importString(t, s, "U200\nline:U201\ntelegram,55\n\n", herald.LINE)
	if rep.Created != 3 || len(rep.Skipped) != 0 {
		t.Fatalf("%s %+v", rep.String(), rep.Skipped)
	}
	if _, err := s.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "55"}); err != nil {
		t.Errorf("platform,id row: %v", err)
	}
	none := importString(t, s, "id\nU300\n", "")
	if none.Created != 0 || len(none.Skipped) != 1 || none.Skipped[0].Reason != roster.ReasonNoPlatform {
		t.Errorf("no platform anywhere: %s %+v", none.String(), none.Skipped)
	}
}

func TestImportNDJSON(t *testing.T) {
	s := openStore(t)
	file := `{"platform":"telegram","user_id":12345,"name":"Kim","tags":["A","b"],"attributes":{"tier":"2"}}
{"platform":"line","id":"U9","attr.city":"Taipei","tags":"x|y"}
not json
{"platform":"messenger"}
`
	rep := importString(t, s, file, "")
	if rep.Format != "ndjson" || rep.Created != 2 || len(rep.Skipped) != 2 ||
		rep.Skipped[0] != (roster.Rejected{Line: 3, Reason: roster.ReasonBadJSON, Raw: "not json"}) || rep.Skipped[1].Reason != roster.ReasonNoID {
		t.Fatalf("%s %+v", rep.String(), rep.Skipped)
	}
	kim, _ := s.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "12345"})
	if kim.Name != "Kim" || !cmp.Equal(kim.Tags, []string{"a", "b"}) || kim.Attributes["tier"] != "2" {
		t.Errorf("kim = %+v", kim)
	}
}

// Imported Messenger users never wrote to the page, so a marketing
// broadcast counts them outside the 24-hour window, however recent the
// import.
func TestImportedMessengerUsersAreOutsideTheWindow(t *testing.T) {
	s := openStore(t)
	importString(t, s, "platform,psid\nmessenger,1\nmessenger,2\n", "")
	a := herald.Audience{Channels: []herald.Platform{herald.Messenger}, Recipients: herald.Users}
	cnt, err := s.Count(&a, herald.Marketing, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Total != 2 || cnt.OutsideWindow != 2 || cnt.NeverWrote != 2 {
		t.Errorf("count = %+v; want both imported users outside the window", cnt)
	}
}

func TestExportReadsBackUnchanged(t *testing.T) {
	s := openStore(t)
	importString(t, s, crmFile, "")
	var out bytes.Buffer
	n, err := roster.Export(&out, s, roster.Filter{})
	if err != nil || n != 4 {
		t.Fatalf("Export: %d, %v", n, err)
	}
	if !strings.HasPrefix(out.String(), "platform,id,name,tags,timezone,locale,state,kind,imported,first_seen,last_interaction,attr.plan\n") {
		t.Errorf("export header:\n%s", out.String())
	}
	again := importString(t, s, out.String(), "")
	if again.Unchanged != 4 || again.Created+again.Updated != 0 || len(again.Skipped) != 0 {
		t.Errorf("re-importing the export: %s %+v", again.String(), again.Skipped)
	}
	vip, err := roster.Export(&bytes.Buffer{}, s, roster.Filter{Tag: "VIP"})
	if err != nil || vip != 2 {
		t.Errorf("export of tag vip: %d, %v", vip, err)
	}
}

func TestPageWalksWithACursor(t *testing.T) {
	s := openStore(t)
	var b strings.Builder
	b.WriteString("platform,id,tags\n")
	for i := range 7 {
		tag := ""
		if i%2 == 0 {
			tag = "even"
		}
		b.WriteString("line,U" + string(rune('0'+i)) + "," + tag + "\n")
	}
	importString(t, s, b.String(), "")
	var ids []string
	var cursor uint32
	for pages := 0; ; pages++ {
		page, next, err := roster.Page(s, roster.Filter{Tag: "even"}, cursor, 2)
		if err != nil || pages > 5 {
			t.Fatal(err, pages)
		}
		for _, sub := range page {
			ids = append(ids, sub.ID)
		}
		if next == 0 {
			break
		}
		cursor = next
	}
	if !cmp.Equal(ids, []string{"U0", "U2", "U4", "U6"}) {
		t.Errorf("pages gave %v", ids)
	}
}
