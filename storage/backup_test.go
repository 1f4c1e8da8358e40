package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// checkBackup opens a backup as a store and checks it holds n subscribers
// and the broadcast named name, and that bbolt finds it sound.
func checkBackup(t *testing.T, path string, minSubs int, name string) {
	t.Helper()
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer b.Close()
	if err := b.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Errorf("backup fails bbolt's check: %v", err)
	}
	n := 0
	_ = b.EachSubscriber(func(*herald.Subscriber) error { n++; return nil })
	if n < minSubs {
		t.Errorf("backup holds %d subscribers, want ≥ %d", n, minSubs)
	}
	if bs, _ := b.FindBroadcasts(name, 1); len(bs) != 1 {
		t.Errorf("backup lacks broadcast %q", name)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	s, _ := openTest(t)
	seedAudience(t, s)
	newBroadcast(t, s, "kept")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			if err := s.PutSubscribers([]herald.Subscriber{user(herald.Messenger, 10000+i)}); err != nil {
				t.Error(err)
			}
		}
	}()
	var buf bytes.Buffer
	n, err := s.Backup(&buf)
	wg.Wait()
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup = %d (%d written), %v", n, buf.Len(), err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	checkBackup(t, path, 3000, "kept")

	file := filepath.Join(t.TempDir(), "file.db")
	if _, err := s.BackupFile(file); err != nil {
		t.Fatal(err)
	}
	checkBackup(t, file, 3020, "kept")
}

func TestBackupDatabaseFromRunningBotAndStoppedOne(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "herald.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedAudience(t, s)
	newBroadcast(t, s, "hot")
	ctx := t.Context()

	// Running without serving backups: a clear "locked" error, no hang.
	_, err = BackupDatabase(ctx, path, filepath.Join(dir, "a.db"), 50*time.Millisecond)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("backup of a locked db: %v", err)
	}

	serveCtx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- s.ServeBackups(serveCtx) }()
	hot := filepath.Join(dir, "hot.db")
	var n int64
	for range 200 { // wait for the socket to listen
		if n, err = BackupDatabase(ctx, path, hot, 50*time.Millisecond); !errors.Is(err, ErrLocked) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil || n == 0 {
		t.Fatalf("hot backup: %d bytes, %v", n, err)
	}
	// The bot keeps working after serving.
	if err := s.PutSubscribers([]herald.Subscriber{user(herald.LINE, 99999)}); err != nil {
		t.Fatal(err)
	}
	checkBackup(t, hot, 3000, "hot")
	stop()
	if err := <-served; err != nil {
		t.Errorf("ServeBackups: %v", err)
	}
	if _, err := os.Stat(BackupSocketPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	cold := filepath.Join(dir, "cold.db")
	if _, err := BackupDatabase(ctx, path, cold, 0); err != nil {
		t.Fatalf("cold backup: %v", err)
	}
	checkBackup(t, cold, 3001, "hot")

	junk := filepath.Join(dir, "junk.db")
	_ = os.WriteFile(junk, []byte("not a db"), 0o600)
	if _, err := BackupDatabase(ctx, junk, filepath.Join(dir, "x.db"), 0); !errors.Is(err, ErrCorrupt) {
		t.Errorf("backup of junk: %v", err)
	}
}
