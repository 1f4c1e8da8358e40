package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/heraldbot/herald/storage/pgtest"
)

func open(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSecondInstanceRefusedUntilTheFirstCloses(t *testing.T) {
	url := pgtest.URL(t)
	first := open(t, url)
	if _, err := Open(context.Background(), url, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	first.Close()
	open(t, url)
}

func TestMigrationsApplyOnceInOrder(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url)
	s.Close()
	s = open(t, url)
	var n, max int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*), coalesce(max(version), 0) FROM herald_schema`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations() // numbers may skip (a branch's migration not merged yet)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || max != LatestSchema() {
		t.Fatalf("herald_schema holds %d rows up to %d, want %d up to %d", n, max, len(ms), LatestSchema())
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	url := pgtest.URL(t)
	s := open(t, url)
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `INSERT INTO herald_schema (version, name) VALUES ($1, 'from_the_future.sql')`, LatestSchema()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(ctx, url, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer herald") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

func TestBadURLSaysWhatAURLLooksLike(t *testing.T) {
	_, err := Open(context.Background(), "postgres://herald:s3cret@[::1", Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "postgres://user") {
		t.Fatalf("Open of a bad URL: %v", err)
	}
}

func TestProbeWrite(t *testing.T) {
	s := open(t, pgtest.URL(t))
	if err := s.ProbeWrite(); err != nil {
		t.Fatal(err)
	}
}

func TestSharedInstancesOpenTogether(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	for range 2 {
		s, err := Open(ctx, url, Options{Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	if _, err := Open(ctx, url, Options{}); err != nil {
		t.Fatalf("an unshared Open beside shared ones: %v", err)
	}
}

func TestRedactNeverShowsAPassword(t *testing.T) {
	for _, raw := range []string{
		"postgres://herald:s3cret@db:5432/herald",
		"host=db user=herald password=s3cret dbname=herald",
		"postgres://herald:s3cret@[::1",
		"postgresql://herald:s3cret@db/herald?sslmode=require",
	} {
		if got := Redact(raw); strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q", raw, got)
		}
	}
}
