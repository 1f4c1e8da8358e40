package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
	"github.com/heraldbot/herald/storage/storagetest"
)

// storageConfig writes a config file whose storage section is body.
func storageConfig(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte("storage:\n"+body+"http:\n  listen: 127.0.0.1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runMigrate(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(context.Background(), append([]string{"migrate-storage"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// An operator moves a bbolt deployment to PostgreSQL and back with the
// command: it prints every kind with both counts, refuses to copy into
// the database again, and refuses a source a bot is running on.
func TestMigrateStorageBothWays(t *testing.T) {
	dir := t.TempDir()
	boltA, boltB := filepath.Join(dir, "a.db"), filepath.Join(dir, "b", "b.db")
	storagetest.FillFile(t, boltA)
	url := pgtest.URL(t)
	t.Setenv("HERALD_TEST_MIGRATE_URL", url)
	a := storageConfig(t, "a.yaml", "  path: "+boltA+"\n")
	pg := storageConfig(t, "pg.yaml", "  driver: postgres\n  postgres_url: ${HERALD_TEST_MIGRATE_URL}\n")
	b := storageConfig(t, "b.yaml", "  path: "+boltB+"\n")

	code, out, errOut := runMigrate(t, "-from", a, "-to", pg)
	if code != exitOK || !strings.Contains(out, "every count matches") {
		t.Fatalf("bbolt → PostgreSQL: exit %d\n%s%s", code, out, errOut)
	}
	for _, k := range storage.Kinds() {
		if !strings.Contains(out, "\n"+k.Name+" ") {
			t.Errorf("the counts do not show %s:\n%s", k.Name, out)
		}
	}

	code, out, errOut = runMigrate(t, "-from", pg, "-to", b)
	if code != exitOK || !strings.Contains(out, "every count matches") {
		t.Fatalf("PostgreSQL → bbolt: exit %d\n%s%s", code, out, errOut)
	}

	code, _, errOut = runMigrate(t, "-from", b, "-to", pg)
	if code == exitOK || !strings.Contains(errOut, "is not empty (it holds 1 counters, 5 subscribers") ||
		!strings.Contains(errOut, "point -to at") {
		t.Errorf("a copy into a database in use: exit %d, %s", code, errOut)
	}

	running, err := storage.Open(boltA, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	code, _, errOut = runMigrate(t, "-from", a, "-to", storageConfig(t, "c.yaml", "  path: "+filepath.Join(dir, "c.db")+"\n"))
	if code == exitOK || !strings.Contains(errOut, "a herald is running with "+boltA+" — stop it first") {
		t.Errorf("a copy from a running bot's file: exit %d, %s", code, errOut)
	}
}

// Wrong invocations say what to do.
func TestMigrateStorageUsage(t *testing.T) {
	a := storageConfig(t, "a.yaml", "  path: "+filepath.Join(t.TempDir(), "a.db")+"\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "name both configs: herald migrate-storage -from CONFIG_A -to CONFIG_B"},
		{[]string{"-from", a, "-to", a}, "-from and -to name the same storage"},
		{[]string{"-from", a, "-to", storageConfig(t, "b.yaml", "  path: "+filepath.Join(t.TempDir(), "b.db")+"\n")},
			"there is no database at"},
	} {
		if code, _, errOut := runMigrate(t, tc.args...); code == exitOK || !strings.Contains(errOut, tc.want) {
			t.Errorf("migrate-storage %v: exit %d, %q; want %q", tc.args, code, errOut, tc.want)
		}
	}
	t.Setenv("HERALD_TEST_EMPTY_URL", pgtest.URL(t))
	empty := storageConfig(t, "empty.yaml", "  driver: postgres\n  postgres_url: ${HERALD_TEST_EMPTY_URL}\n")
	if code, _, errOut := runMigrate(t, "-from", empty, "-to", a); code == exitOK || !strings.Contains(errOut, "has no Herald tables — check storage.postgres_url in the -from config") {
		t.Errorf("a copy from a database without Herald's tables: exit %d, %q", code, errOut)
	}
	if sch, err := postgres.CheckSchema(context.Background(), os.Getenv("HERALD_TEST_EMPTY_URL")); err != nil || sch.Version != 0 {
		t.Errorf("the empty source was written to: schema %+v, %v", sch, err)
	}
	if code, out, _ := runMigrate(t, "-h"); code != exitOK || !strings.Contains(out, "Moving between bbolt and PostgreSQL") {
		t.Errorf("-h: exit %d\n%s", code, out)
	}
}
