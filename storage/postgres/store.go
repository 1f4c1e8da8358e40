// Package postgres keeps Herald's state in PostgreSQL: the second storage
// backend (storage.driver: postgres), for a team whose bot must survive
// the loss of its machine. It keeps every contract the bbolt store keeps
// (storage.Backend; one contract suite, storage/storagetest, runs against
// both) and answers audiences from the same in-memory index, rebuilt from
// the database at start and, with several instances, kept current with
// the others' writes (index_follow.go).
//
// Schema: versioned SQL files embedded in the binary (migrations/), each
// applied once, in order, in its own transaction, under an advisory lock
// so that instances starting together migrate once (migrate.go). Locks
// and LISTEN channels are per database, so their names are derived from
// the schema (current_schema()): two deployments, or two tests, in two
// schemas of one database never meet.
//
// Several instances (Options.Shared): leases as rows with an expiry
// (lease.go) say which instance does the work that must run once;
// LISTEN/NOTIFY (listen.go) announces released leases and forwards work
// to their holder; an advisory lock per admin conversation (LockSession)
// applies its turns one at a time across the instances.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrLocked is returned by Open when another herald holds the database.
var ErrLocked = errors.New("storage: database is in use by another herald")

// Options tune Open.
type Options struct {
	// Now is the clock for timestamps (default time.Now).
	Now func() time.Time
	// Logger receives operational messages (default: discarded).
	Logger *slog.Logger
	// MaxConns bounds the connection pool (default 16).
	MaxConns int32
	// Shared lets several instances open the database at once (a
	// cluster: leases decide who sends). Without it Open takes the
	// database for this process, as bbolt's file lock does, and a second
	// herald refuses to start.
	Shared bool
}

// Store is Herald's PostgreSQL database plus the in-memory audience index.
// It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	url    string
	where  string // the URL without its password, for messages
	now    func() time.Time
	logger *slog.Logger
	shared bool // Options.Shared

	// What each part keeps in memory: subscribers.go (the audience
	// index), notes.go (the sequence notes' hook) and engagement_seen.go
	// (when expired event IDs were last swept).
	subscribers subscriberState
	notes       notesState
	engagement  engagementState

	// follow keeps a shared store's index current with the other
	// instances' writes (index_follow.go).
	follow followState

	// hold is the connection that holds this instance's lock on the
	// database (see lockInstance), released by Close.
	hold *pgxpool.Conn
	// turns bounds the admin conversations holding a connection for their
	// lock (LockSession).
	turns chan struct{}
}

// Open connects to the database at rawURL, migrates it and builds the
// audience index. A database written by a newer herald is refused with
// one line saying so, before anything is written.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 16
	}
	where := Redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		// Not the parser's error: it can quote the URL, password and all.
		return nil, fmt.Errorf("storage: %s is not a PostgreSQL URL (postgres://user:password@host:5432/dbname)", where)
	}
	cfg.MaxConns = opts.MaxConns
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: connect to %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: connect to %s: %w", where, err)
	}
	s := &Store{pool: pool, url: rawURL, where: where, now: opts.Now, logger: opts.Logger, shared: opts.Shared,
		turns: make(chan struct{}, max(1, opts.MaxConns/2))}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	if !s.shared {
		if err := s.lockInstance(ctx); err != nil {
			return err
		}
	}
	if err := migrate(ctx, s.pool, s.logger, s.where); err != nil {
		return err
	}
	if !s.shared {
		return s.start(ctx)
	}
	if err := s.prepareFollow(ctx); err != nil {
		return err
	}
	if err := s.start(ctx); err != nil {
		return err
	}
	s.startFollow()
	return nil
}

// lockInstance takes the database for this process, as bbolt's file lock
// does: until several instances can share the work, a second herald on
// the same database refuses to start instead of sending twice. The lock
// is a session advisory lock, so it goes with the connection when the
// process dies.
func (s *Store) lockInstance(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("storage: connect to %s: %w", s.where, err)
	}
	var got bool
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended(current_schema() || '/herald-instance', 0))`).Scan(&got)
	if err != nil {
		conn.Release()
		return fmt.Errorf("storage: lock %s: %w", s.where, err)
	}
	if !got {
		conn.Release()
		return fmt.Errorf("storage: another herald is running with %s (%w)", s.where, ErrLocked)
	}
	s.hold = conn
	return nil
}

// URL is the database's URL as Open was given it (with its password: not
// for messages; see Redact).
func (s *Store) URL() string { return s.url }

// Close stops following other instances, and releases the instance lock
// and the pool.
func (s *Store) Close() error {
	s.stopFollow()
	if s.hold != nil {
		// Unlock first: the server ends a closed connection's session (and
		// so its lock) a moment after, and a restart may ask before then.
		ctx := context.Background()
		_, _ = s.hold.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended(current_schema() || '/herald-instance', 0))`)
		_ = s.hold.Conn().Close(ctx)
		s.hold.Release()
		s.hold = nil
	}
	s.pool.Close()
	return nil
}

// ProbeWrite proves the database takes writes now: a transaction that
// writes a row and rolls back.
func (s *Store) ProbeWrite() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("storage: probe %s: %w", s.where, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the probe never commits
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE herald_probe (x int) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("storage: probe %s: %w", s.where, err)
	}
	return nil
}

// write runs fn in a read-write transaction, committed when fn returns
// nil, wrapping any error with what.
func (s *Store) write(what string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(ctx, tx) })
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	s.committed()
	return nil
}

// read runs fn in a read-only transaction (one snapshot of the database),
// wrapping any error with what.
func (s *Store) read(what string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx := context.Background()
	opts := pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error { return fn(ctx, tx) })
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

// scanJSONRows decodes rows of two columns, a name (an ID, or the audit
// log's number) and a JSON document, into one T each, in order. A
// document that does not decode fails with its kind and name ("sequence
// Q-7K2Q: …").
func scanJSONRows[T any](rows pgx.Rows, kind string) ([]T, error) {
	var out []T
	var name any
	var doc []byte
	_, err := pgx.ForEachRow(rows, []any{&name, &doc}, func() error {
		var v T
		if err := json.Unmarshal(doc, &v); err != nil {
			return fmt.Errorf("%s %v: %w", kind, name, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// Redact is rawURL without its password, for logs and messages.
// Anything but a postgres:// URL (a key=value string, which may hold
// password=…) is named, never shown.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "the PostgreSQL URL"
	}
	return u.Redacted()
}
