package inbound

import (
	"path/filepath"
	"testing"

	"github.com/heraldbot/herald/storage"
)

// newStore opens a real bbolt store in the test's temporary directory.
func newStore(t testing.TB) *storage.Store {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "herald.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
