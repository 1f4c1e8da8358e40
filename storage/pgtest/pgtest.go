// Package pgtest gives a test a PostgreSQL database of its own: a fresh
// schema in the server HERALD_TEST_POSTGRES names, dropped when the test
// ends. Schemas, not databases, because creating one takes milliseconds;
// advisory locks and LISTEN channels are per database, so the backend
// derives theirs from the schema name (see storage/postgres).
//
// Without HERALD_TEST_POSTGRES the test is skipped with how to run it; in
// CI (CI=true) that skip is a failure instead, so CI cannot pass without
// having run the PostgreSQL tests.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the server the tests use.
const Env = "HERALD_TEST_POSTGRES"

// How says how to run the PostgreSQL tests.
const How = "set " + Env + " to a PostgreSQL URL, or run them with a throwaway server: bash .ci/with-postgres go test ./..."

// Server returns the server URL, skipping the test without one (failing
// it in CI).
func Server(t testing.TB) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL tests must run in CI: %s", How)
		}
		t.Skipf("PostgreSQL tests skipped: %s", How)
	}
	return base
}

// URL returns the URL of a new, empty schema of its own for this test,
// dropped (with everything in it) when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := Server(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA "+schema+" CASCADE") })
	u, err := WithSchema(base, schema)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// WithSchema returns base with its search_path set to schema: every
// table the backend makes then lives in that schema.
func WithSchema(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("pgtest: %s is not a URL: %w", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func exec(t testing.TB, base, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}
