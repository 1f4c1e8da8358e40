package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damageRecord overwrites the version byte of the stored subscriber with
// id: the file's pages stay sound, one record no longer decodes.
func damageRecord(t *testing.T, dbPath, id string) {
	t.Helper()
	data, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	// A record is: version, platform code, id length, id, ...; the id also
	// appears in subscriber_keys ("line:U…"), never preceded by a length.
	i := bytes.Index(data, append([]byte{byte(len(id))}, id...))
	if i < 2 {
		t.Fatalf("record of %s not found", id)
	}
	data[i-2] = 0xEE
	if err := os.WriteFile(dbPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCheckDBSummarisesAndFindsADamagedRecord(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		t.Fatal(err)
	}
	makeDatabase(t, dbPath)

	r := runBot(t, "check-db", "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "subscribers      3000\n") ||
		!strings.Contains(r.stdout, "broadcasts       12\n") || !strings.Contains(r.stdout, "0 problems found") {
		t.Fatalf("sound file: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	damageRecord(t, dbPath, "U0000042")
	before, _ := os.ReadFile(dbPath)
	r = runBot(t, "check-db", "-config", cfg)
	if r.code != exitFail || !strings.Contains(r.stdout, "1 problems found") ||
		!strings.Contains(r.stdout, "subscribers: 1 records cannot be decoded") ||
		r.stderr != "herald check-db: "+dbPath+" is damaged — "+damagedHint+"\n" {
		t.Errorf("damaged record: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile(dbPath); !bytes.Equal(before, after) {
		t.Error("check-db changed the file")
	}
}

// TestBackupOfADamagedSourceFailsLoudly: the copy is checked before it
// takes the backup's name, so a damaged record fails the backup.
func TestBackupOfADamagedSourceFailsLoudly(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		t.Fatal(err)
	}
	makeDatabase(t, dbPath)
	damageRecord(t, dbPath, "U0000042")

	target := filepath.Join(t.TempDir(), "backup.db")
	r := runBot(t, "backup", "-config", cfg, target)
	if r.code != exitFail || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, "the copy is damaged (1 problems, first: subscribers: 1 records cannot be decoded)") ||
		!strings.Contains(r.stderr, target+" was not written") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(target)); len(entries) != 0 {
		t.Errorf("the failed backup left %v", entries)
	}
}
