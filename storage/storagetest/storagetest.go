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
	"sync"
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

// CloseAtEnd closes s when the test ends unless Reopen closed it first,
// and returns it.
func CloseAtEnd(t testing.TB, s storage.Backend) storage.Backend {
	c := &closeOnce{Backend: s}
	t.Cleanup(func() { c.Close() })
	return c
}

// closeOnce is a Backend whose Close closes it the first time only.
type closeOnce struct {
	storage.Backend
	once sync.Once
	err  error
}

func (c *closeOnce) Close() error {
	c.once.Do(func() { c.err = c.Backend.Close() })
	return c.err
}

// Unwrap is the backend itself, for a backend's own opener.
func Unwrap(s storage.Backend) storage.Backend {
	if c, ok := s.(*closeOnce); ok {
		return c.Backend
	}
	return s
}
