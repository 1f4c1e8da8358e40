package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
)

func TestHelpNamesTheBinaryHerald(t *testing.T) {
	r := runBot(t, "help")
	if regexp.MustCompile(`(?m)^\s+bot\b|"bot `).MatchString(r.stdout) {
		t.Errorf("the help still calls the binary bot:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "  herald check-config") {
		t.Errorf("the help does not name herald:\n%s", r.stdout)
	}
	for _, args := range [][]string{{"check-config"}, {"backup"}, {"check-db"}, {"import", "subscribers"}, {"sync", "line"},
		{"fakes"}, {"bench", "audience"}, {"bench", "dispatch"}} {
		r := runBot(t, append(args, "-h")...)
		if out := r.stdout + r.stderr; !strings.Contains(out, "herald "+strings.Join(args, " ")) {
			t.Errorf("herald %s -h does not name the command as herald's:\n%s", strings.Join(args, " "), out)
		}
	}
	r = runBot(t, "chek-config")
	if !strings.Contains(r.stderr, `herald: unknown command "chek-config" — run "herald help"`) {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestDurationFlagsSayWhatToWrite(t *testing.T) {
	for _, args := range [][]string{{"-demo", "-demo-undo", "2"}, {"bench", "dispatch", "-raw", "2"}} {
		r := runBot(t, args...)
		want := `invalid value "2" for flag -` + strings.TrimPrefix(args[len(args)-2], "-") +
			`: 2 has no unit — write "2s" for seconds (or "2m", "2h")`
		if r.code != exitUsage || !strings.HasPrefix(r.stderr, want+"\n") {
			t.Errorf("%v: exit %d, stderr starts %q; want %q", args, r.code, firstLine(r.stderr), want)
		}
	}
	var undo time.Duration
	d := newDurationFlag(&undo, time.Second)
	if err := d.Set("2s"); err != nil || undo != 2*time.Second {
		t.Errorf("Set(2s) = %v, value %s", err, d)
	}
}

func TestBackupIntoAMissingDirectorySaysSo(t *testing.T) {
	cfg, _ := writeConfig(t, "")
	if code := startBot(t, strings.NewReader(""), "-config", cfg).wait(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	dir := filepath.Join(t.TempDir(), "nightly")
	r := runBot(t, "backup", "-config", cfg, filepath.Join(dir, "b.db"))
	want := fmt.Sprintf("herald backup: the directory %s does not exist — create it first (mkdir -p %s) or choose another path\n", dir, dir)
	if r.code != exitFail || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
}

func TestBackupAfterTheDemoPointsToItsDatabase(t *testing.T) {
	t.Setenv("HERALD_CONFIG", "")
	t.Chdir(t.TempDir())
	if err := os.Mkdir("data", 0o750); err != nil {
		t.Fatal(err)
	}
	s, err := storage.Open(demoStoragePath, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	r := runBot(t, "backup", "demo-copy.db")
	want := "herald backup: there is no database at data/herald.db — check storage.path (or -config); " +
		"the demo's database is data/demo.db — back it up with: herald backup -demo demo-copy.db\n"
	if r.code != exitFail || r.stderr != want {
		t.Fatalf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
	r = runBot(t, "backup", "-demo", "demo-copy.db")
	if r.code != exitOK || !strings.HasSuffix(r.stdout, " from data/demo.db\n") {
		t.Fatalf("backup -demo: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	copied, err := storage.Open("demo-copy.db", storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the copy: %v", err)
	}
	copied.Close()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
