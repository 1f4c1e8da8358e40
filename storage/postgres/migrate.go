package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one versioned SQL file: migrations/NNNN_what.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations reads the embedded files in version order; each version
// once. A database holds every version up to its highest: a new file
// takes a number above all released ones.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("storage: migration %s: name must be NNNN_what.sql", base)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("storage: migrations %s and %s have one version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate brings the schema up to date: under an advisory lock (instances
// starting together wait for the first), it reads the version, refuses a
// database newer than this build, and applies each missing migration in
// its own transaction together with its row in herald_schema. Forward
// only: there are no down migrations.
func migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, where string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("storage: connect to %s: %w", where, err)
	}
	defer conn.Release()
	const lock = `hashtextextended(current_schema() || '/herald-migrate', 0)`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lock+`)`); err != nil {
		return fmt.Errorf("storage: lock %s for migrating: %w", where, err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock(`+lock+`)`) //nolint:errcheck // the session's end releases it too

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS herald_schema (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("storage: migrate %s: %w", where, err)
	}
	version, err := SchemaVersion(ctx, conn.Conn())
	if err != nil {
		return fmt.Errorf("storage: migrate %s: %w", where, err)
	}
	if version > latest {
		return fmt.Errorf("storage: open %s: written by a newer herald (schema %d, this build knows up to %d) — upgrade herald", where, version, latest)
	}
	for _, m := range ms {
		if m.version <= version {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO herald_schema (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("storage: migrate %s to schema %d (%s): %w", where, m.version, m.name, err)
		}
	}
	if version < latest {
		logger.Info("storage migrated", "database", where, "from_schema", version, "to_schema", latest)
	}
	return nil
}

// SchemaVersion is the schema version the database holds (0: none yet).
func SchemaVersion(ctx context.Context, conn *pgx.Conn) (int, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('herald_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists {
		return 0, nil
	}
	var v int
	err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM herald_schema`).Scan(&v)
	return v, err
}

// LatestSchema is the schema version this build writes.
func LatestSchema() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}
