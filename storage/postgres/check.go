package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrURL marks a database URL that cannot be used as it is written.
var ErrURL = errors.New("not a PostgreSQL URL")

// CheckURL says what is wrong with rawURL's shape, without connecting and
// without ever quoting its password (url.Parse's and pgx's own errors may
// quote the whole URL).
func CheckURL(rawURL string) error {
	const want = "write postgres://user:password@host:5432/dbname"
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("%w (%s; a password with @ : / ? # or %% in it must be percent-encoded, e.g. %%40 for @)", ErrURL, want)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("%w: it must start with postgres:// (%s)", ErrURL, want)
	}
	if _, err := pgx.ParseConfig(rawURL); err != nil {
		// The URL parsed, so pgx's message masks its password reliably.
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			return fmt.Errorf("%w: %s", ErrURL, pe.Error())
		}
		return fmt.Errorf("%w (%s)", ErrURL, want)
	}
	return nil
}

// Schema is where a database's schema stands against this build, as
// `herald check-config` reports it before the bot starts.
type Schema struct {
	// Version is the schema the database holds (0: none yet, a new database).
	Version int
	// Latest is the schema this build writes.
	Latest int
}

// Current reports whether the database is at this build's schema.
func (s Schema) Current() bool { return s.Version == s.Latest }

// Behind reports whether Open will migrate the database first.
func (s Schema) Behind() bool { return s.Version < s.Latest }

// Newer reports whether a newer herald wrote the database: Open refuses it.
func (s Schema) Newer() bool { return s.Version > s.Latest }

// CheckSchema connects to the database at rawURL with one connection
// (bounded by ctx), reads its schema version and disconnects. It writes
// nothing and takes no lock, so it may run beside a running herald. Its
// errors name the database without its password.
func CheckSchema(ctx context.Context, rawURL string) (Schema, error) {
	where := Redact(rawURL)
	if err := CheckURL(rawURL); err != nil {
		return Schema{}, fmt.Errorf("storage: %s: %w", where, err)
	}
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return Schema{}, fmt.Errorf("storage: %s: %w", where, ErrURL)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return Schema{}, fmt.Errorf("storage: connect to %s: %w", where, err)
	}
	defer conn.Close(context.Background())
	v, err := SchemaVersion(ctx, conn)
	if err != nil {
		return Schema{}, fmt.Errorf("storage: read the schema of %s: %w", where, err)
	}
	return Schema{Version: v, Latest: LatestSchema()}, nil
}
