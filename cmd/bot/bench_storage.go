package main

// `-storage bbolt|postgres|both` of `herald bench dispatch` and `herald
// bench audience`: which engines a bench measures, and a throw-away
// database in each. PostgreSQL is the server HERALD_BENCH_POSTGRES names;
// the bench makes a schema of its own there and drops it after, so it
// never touches a deployment's tables.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/postgres"
	"github.com/jackc/pgx/v5"
)

// benchPostgresEnv names the PostgreSQL server the benches may use.
const benchPostgresEnv = "HERALD_BENCH_POSTGRES"

// benchStorages reads -storage: "" is bbolt, and PostgreSQL too when
// HERALD_BENCH_POSTGRES is set; "both" needs it set.
func benchStorages(flag string) ([]string, error) {
	server := os.Getenv(benchPostgresEnv)
	need := func(kinds ...string) ([]string, error) {
		if server == "" {
			return nil, fmt.Errorf("-storage %s needs %s set to a PostgreSQL server's URL (postgres://user:password@host:5432/dbname); the bench makes a schema of its own there and drops it after", flag, benchPostgresEnv)
		}
		if _, err := benchSchemaURL("public"); err != nil {
			return nil, err
		}
		return kinds, nil
	}
	switch flag {
	case "":
		if server == "" {
			return []string{driverBBolt}, nil
		}
		return need(driverBBolt, driverPostgres)
	case driverBBolt:
		return []string{driverBBolt}, nil
	case driverPostgres:
		return need(driverPostgres)
	case "both":
		return need(driverBBolt, driverPostgres)
	}
	return nil, fmt.Errorf("-storage %q: say bbolt, postgres or both", flag)
}

// benchDB is one throw-away database: a bbolt file (path) or a schema of
// the HERALD_BENCH_POSTGRES server.
type benchDB struct {
	kind   string
	path   string // bbolt
	schema string // PostgreSQL
}

// newBenchDB makes an empty database of kind; drop removes it.
func newBenchDB(ctx context.Context, kind, dir string) (db benchDB, drop func(), err error) {
	db.kind = kind
	if kind == driverBBolt {
		db.path = filepath.Join(dir, "herald.db")
		return db, func() {}, nil
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	db.schema = "herald_bench_" + hex.EncodeToString(b[:])
	if err := benchExec(ctx, "CREATE SCHEMA "+db.schema); err != nil {
		return db, nil, err
	}
	return db, func() { _ = benchExec(context.Background(), "DROP SCHEMA "+db.schema+" CASCADE") }, nil
}

// open opens the database as the bot would; Open of either engine
// rebuilds the audience index.
func (db benchDB) open(ctx context.Context, opts storage.Options) (storage.Backend, error) {
	if db.kind == driverBBolt {
		st, err := storage.Open(db.path, opts)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	u, err := benchSchemaURL(db.schema)
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, u, postgres.Options{Now: opts.Now, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// benchSchemaURL is HERALD_BENCH_POSTGRES with its search_path set to
// schema: every table the backend makes then lives there.
func benchSchemaURL(schema string) (string, error) {
	u, err := url.Parse(os.Getenv(benchPostgresEnv))
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("%s is not a PostgreSQL URL (postgres://user:password@host:5432/dbname)", benchPostgresEnv)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// benchExec runs one statement on the HERALD_BENCH_POSTGRES server.
func benchExec(ctx context.Context, sql string) error {
	server := os.Getenv(benchPostgresEnv)
	connectCtx, cancel := context.WithTimeout(ctx, postgresConnectTimeout)
	defer cancel()
	conn, err := pgx.Connect(connectCtx, server)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", postgresConnectTimeout)
		}
		return fmt.Errorf("connect to %s (%s): %w", postgres.Redact(server), benchPostgresEnv, err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// benchRatio is "a/b" of two figures, 0 when b is.
func benchRatio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// benchSince is the seconds since start.
func benchSince(start time.Time) float64 { return time.Since(start).Seconds() }

// benchFigures are what the pg/bbolt line compares of a dispatch.
type benchFigures struct {
	rate, peakMB, cpuUs, firstSend float64
}

// benchDispatchEach runs the dispatch bench on each engine in turn, each
// with its own fakes and raw ceiling, and with both compares them on a
// last line: deliveries/s, CPU per recipient and peak RSS, PostgreSQL's
// over bbolt's.
func benchDispatchEach(ctx context.Context, o benchDispatchOpts, channels []herald.Platform, kinds []string, stdout io.Writer) error {
	figs := map[string]benchFigures{}
	for _, kind := range kinds {
		fig, err := benchDispatchParent(ctx, o, channels, kind, stdout)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		figs[kind] = fig
	}
	if len(kinds) < 2 {
		return nil
	}
	b, p := figs[driverBBolt], figs[driverPostgres]
	fmt.Fprintf(stdout, "pg/bbolt deliveries_per_s=%.2f cpu_us_per_recipient=%.2f peak_rss_mb=%.2f (target: deliveries_per_s at least 0.5)\n",
		benchRatio(p.rate, b.rate), benchRatio(p.cpuUs, b.cpuUs), benchRatio(p.peakMB, b.peakMB))
	return nil
}
