package api

import (
	"fmt"
	"github.com/heraldbot/herald"
	"strings"
	"testing"
)

// A file larger than the JSON body limit streams in; the report names
// every skipped line; the list pages with its cursor; the export is CSV.
func TestImportListExport(t *testing.T) {
	r := newRig(t, Options{})
	var b strings.Builder
	b.WriteString("\ufeffplatform;user_id;name;tags\r\n")
	for i := range 600 {
		fmt.Fprintf(&b, "telegram;%d;\"Person; %d\";vip\r\n", 1000+i, i)
	}
	b.WriteString("fax;1;x;\r\nline;;y;\r\n")
	if b.Len() <= 16<<10 {
		t.Fatalf("file of %d bytes is not over MaxBody", b.Len())
	}
	a := r.call(t, "POST", "/api/v1/subscribers/import", goodToken, b.String())
	if a.status != 200 || a.body["created"] != 600.0 || a.body["rows"] != 602.0 {
		t.Fatalf("import: %d %s", a.status, a.raw)
	}
	if !strings.Contains(a.raw, `"skipped":[{"line":602,"reason":"bad_platform","row":"fax;1;x;"},{"line":603,"reason":"no_id","row":"line;;y;"}]`) {
		t.Errorf("skipped rows: %s", a.raw)
	}
	again := r.call(t, "POST", "/api/v1/subscribers/import", goodToken, b.String())
	if again.body["unchanged"] != 600.0 || again.body["created"] != 0.0 {
		t.Errorf("second import: %s", again.raw)
	}

	seen, cursor := 0, ""
	for pages := 0; pages < 10; pages++ {
		page := r.call(t, "GET", "/api/v1/subscribers?platform=telegram&tag=vip&limit=250&cursor="+cursor, goodToken, nil)
		subs, _ := page.body["subscribers"].([]any)
		seen += len(subs)
		next, _ := page.body["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if seen != 600 {
		t.Errorf("pages listed %d subscribers, want 600", seen)
	}
	if a := r.call(t, "GET", "/api/v1/subscribers?state=gone", goodToken, nil); a.status != 422 {
		t.Errorf("bad state: %d %s", a.status, a.raw)
	}
	exp := r.call(t, "GET", "/api/v1/subscribers/export.csv?tag=vip", goodToken, nil)
	if exp.status != 200 || strings.Count(exp.raw, "\n") != 601 || !strings.Contains(exp.raw, "telegram,1000,Person; 0,vip,") {
		t.Errorf("export: %d %.300s", exp.status, exp.raw)
	}

	// The audit of a broadcast: who its audience reaches.
	bc := herald.Broadcast{Name: "Audit", Status: herald.StatusDraft, Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram},
		Recipients: herald.Users, SelectedPlatform: herald.Telegram, Selected: []string{"1000", "1001", "9"}}}
	if err := r.store.CreateBroadcast(&bc); err != nil {
		t.Fatal(err)
	}
	audit := r.call(t, "GET", "/api/v1/subscribers/export.csv?broadcast="+bc.ID, goodToken, nil)
	if strings.Count(audit.raw, "\n") != 3 || !strings.Contains(audit.raw, "telegram,1001,") {
		t.Errorf("broadcast audit: %d %s", audit.status, audit.raw)
	}
	if a := r.call(t, "GET", "/api/v1/subscribers/export.csv?broadcast=B-NONE", goodToken, nil); a.status != 404 {
		t.Errorf("unknown broadcast: %d %s", a.status, a.raw)
	}
}
