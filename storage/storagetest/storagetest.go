// Package storagetest is the storage contract: tests that every backend
// (bbolt, storage.Store; PostgreSQL, storage/postgres) must pass alike. A
// test here that only one backend passes is a bug in that backend.
//
// Each part of the contract is a function taking the backend's opener;
// each backend's own tests call every part (storage/contract_test.go,
// storage/postgres/contract_test.go). Tests of what only one engine has
// (a bbolt file's codec, pages and lock; Postgres's migrations) stay next
// to that engine.
package storagetest

import (
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
)

// Opener opens a new, empty store for one test, with the given clock
// (nil: time.Now), closed when the test ends. Reopen, when a backend can,
// opens the same store again after closing it (a restart).
type Opener struct {
	Open   func(t testing.TB, now func() time.Time) storage.Backend
	Reopen func(t testing.TB, s storage.Backend, now func() time.Time) storage.Backend
}
