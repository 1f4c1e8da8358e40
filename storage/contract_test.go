package storage_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/storagetest"
)

// bolt opens the bbolt store for the contract suite (storagetest): a new
// file per test; Reopen closes it and opens the same file (a restart).
var bolt = storagetest.Opener{
	Open: func(t testing.TB, now func() time.Time) storage.Backend {
		return openBoltFile(t, filepath.Join(t.TempDir(), "herald.db"), now)
	},
	Reopen: func(t testing.TB, s storage.Backend, now func() time.Time) storage.Backend {
		path := storagetest.Unwrap(s).(*storage.Store).Path()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		return openBoltFile(t, path, now)
	},
}

func openBoltFile(t testing.TB, path string, now func() time.Time) storage.Backend {
	t.Helper()
	s, err := storage.Open(path, storage.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return storagetest.CloseAtEnd(t, s)
}
