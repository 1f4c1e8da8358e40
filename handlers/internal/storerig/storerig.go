// Package storerig opens a real bbolt store in a test's temporary
// directory, for the handlers' tests: one place that knows how a test gets
// a store and that it is closed when the test ends.
package storerig

import (
	"path/filepath"
	"testing"

	"github.com/heraldbot/herald/storage"
)

// Open opens a fresh store in t.TempDir(), closed by t.Cleanup.
func Open(t testing.TB) *storage.Store {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "herald.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
