package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
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
	crowd.Seed(t, s)
	newBroadcast(t, s, "kept")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			if err := s.PutSubscribers([]herald.Subscriber{crowd.Person(herald.Messenger, 10000+i)}); err != nil {
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

	// Once the writes are done, a copy straight into a file has them all.
	file := filepath.Join(t.TempDir(), "file.db")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	checkBackup(t, file, 3020, "kept")
}
