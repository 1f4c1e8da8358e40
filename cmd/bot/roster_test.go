package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/platformtest"
)

func TestImportSubscribersFromTheCommandLine(t *testing.T) {
	cfg, _ := writeConfig(t, "")
	dir := t.TempDir()
	file := filepath.Join(dir, "crm.csv")
	if err := os.WriteFile(file, []byte("platform,user_id,name\nline,U1,Amy\ntelegram,,Nobody\nmessenger,77,Bo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rejected := filepath.Join(dir, "rejected.csv")
	r := runBot(t, "import", "subscribers", "-config", cfg, "-rejected", rejected, file)
	if r.code != 0 || !strings.Contains(r.stdout, "import: 3 rows: 2 created, 0 updated, 0 unchanged, 1 skipped (csv") ||
		!strings.Contains(r.stdout, "  line 3: no_id\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if data, err := os.ReadFile(rejected); err != nil || string(data) != "line,reason,row\n3,no_id,\"telegram,,Nobody\"\n" {
		t.Errorf("rejected rows file: %q, %v", data, err)
	}
	again := runBot(t, "import", "subscribers", "-config", cfg, file)
	if !strings.Contains(again.stdout, "0 created, 0 updated, 2 unchanged, 1 skipped") {
		t.Errorf("second import: %q", again.stdout)
	}
	if r := runBot(t, "import", "subscribers", "-config", cfg, "-platform", "fax", file); r.code != exitUsage || !strings.Contains(r.stderr, "use line, telegram or messenger") {
		t.Errorf("-platform fax: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestSyncLINEFromTheCommandLine(t *testing.T) {
	fake := platformtest.NewLINE(platformtest.NewRecorder(time.Now))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.AddFollowers("Uf1", "Uf2")
	fake.AddChannelFollowers("shop-t0ken", "Uf1", "Us3", "Us4")
	cfg, _ := writeConfig(t, "line:\n  channel_secret: s3cret\n  channel_token: t0ken\n  api_url: "+srv.URL+
		"\n  accounts:\n    - { name: shop, channel_secret: s4, channel_token: shop-t0ken }\n")
	r := runBot(t, "sync", "line", "-config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "sync line: 2 followers: 2 added, 0 already known") ||
		!strings.Contains(r.stdout, "sync line:shop: 3 followers: 3 added, 0 already known") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	fake.DenyFollowers()
	r = runBot(t, "sync", "line", "-config", cfg)
	if r.code != exitFail || !strings.Contains(r.stderr, "only for verified and premium accounts") {
		t.Errorf("unverified account: exit %d, stderr %q", r.code, r.stderr)
	}
}
