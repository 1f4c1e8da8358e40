package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
	"github.com/heraldbot/herald/storage/storagetest"
)

// pg opens the PostgreSQL store for the contract suite (storagetest): a
// new schema per test; Reopen closes it and opens the same schema (a
// restart).
var pg = opener(false)

// pgShared is pg with Options.Shared: every write also logs its changes
// for other instances (index_log), which must change nothing else.
var pgShared = opener(true)

func opener(shared bool) storagetest.Opener {
	return storagetest.Opener{
		Open: func(t testing.TB, now func() time.Time) storage.Backend {
			return openPG(t, pgtest.URL(t), now, shared)
		},
		Reopen: func(t testing.TB, s storage.Backend, now func() time.Time) storage.Backend {
			url := storagetest.Unwrap(s).(*postgres.Store).URL()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return openPG(t, url, now, shared)
		},
	}
}

func openPG(t testing.TB, url string, now func() time.Time, shared bool) storage.Backend {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{Now: now, Shared: shared})
	if err != nil {
		t.Fatal(err)
	}
	return storagetest.CloseAtEnd(t, s)
}
