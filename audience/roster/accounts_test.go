package roster_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
)

// A named account's followers import as "line@shop" (in the platform
// column or before the ID), stay apart from the default account's with
// the same ID, and export as they import.
func TestImportAndExportNamedAccounts(t *testing.T) {
	s := openStore(t)
	rep := importString(t, s, "platform,id,name\nline,U1,Ann\nline@shop,U1,Ann at the shop\n,telegram@shop:42,Bo\nline@Not Valid,U2,X\n", "")
	if rep.Created != 3 || len(rep.Skipped) != 1 {
		t.Fatalf("import: %s %+v", rep.String(), rep.Skipped)
	}
	for k, name := range map[herald.SubscriberKey]string{
		{Platform: herald.LINE, ID: "U1"}: "Ann", {Platform: herald.LINE, Account: "shop", ID: "U1"}: "Ann at the shop",
		{Platform: herald.Telegram, Account: "shop", ID: "42"}: "Bo",
	} {
		if sub, err := s.Subscriber(k); err != nil || sub.Name != name {
			t.Errorf("%s: %+v, %v; want %s", k, sub, err, name)
		}
	}
	var out bytes.Buffer
	if _, err := roster.Export(&out, s, roster.Filter{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\nline@shop,U1,Ann at the shop,") {
		t.Errorf("export:\n%s", out.String())
	}
	if again := importString(t, s, out.String(), ""); again.Unchanged != 3 || again.Created+again.Updated != 0 {
		t.Errorf("re-importing the export: %s %+v", again.String(), again.Skipped)
	}
}
