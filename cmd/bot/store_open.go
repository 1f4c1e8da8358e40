package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/postgres"
)

// postgresConnectTimeout bounds the first connection to PostgreSQL (at
// start and in check-config), so a wrong host or a firewall fails in
// seconds with the fix instead of hanging on the system's TCP timeout.
const postgresConnectTimeout = 10 * time.Second

// openStore opens the configured engine (storage.driver) and turns the
// errors an operator can meet into one line with the fix. opts are the
// bbolt file's; Now and Logger serve PostgreSQL too.
func openStore(sc StorageConfig, opts storage.Options) (storage.Backend, error) {
	if sc.postgres() {
		return openPostgres(sc, opts)
	}
	store, err := openBolt(sc.Path, opts)
	if err != nil {
		return nil, err // not a nil *storage.Store in a non-nil Backend
	}
	return store, nil
}

// openBolt opens the bbolt file, creating its directory.
func openBolt(path string, opts storage.Options) (*storage.Store, error) {
	shown := filepath.Clean(path)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("cannot create the directory for storage.path %s: %w", shown, err)
	}
	store, err := storage.Open(path, opts)
	switch {
	case err == nil:
		return store, nil
	case errors.Is(err, storage.ErrLocked):
		return nil, fmt.Errorf("another herald is running with %s — stop it or use -config with another storage.path", shown)
	case errors.As(err, new(*storage.DamagedError)):
		return nil, err // serve says it in the one line every command uses
	case errors.Is(err, storage.ErrCorrupt):
		return nil, fmt.Errorf("%s is not a Herald database (%w) — check storage.path", shown, err)
	}
	return nil, fmt.Errorf("cannot open the database %s: %w", shown, err)
}

// openPostgres connects to the database, migrates it and builds the
// audience index. It first checks the server answers, within
// postgresConnectTimeout; the migration and the index then take as long as
// they need.
func openPostgres(sc StorageConfig, opts storage.Options) (storage.Backend, error) {
	shown := sc.shown()
	ctx, cancel := context.WithTimeout(context.Background(), postgresConnectTimeout)
	schema, err := postgres.CheckSchema(ctx, sc.PostgresURL)
	cancel()
	if err != nil {
		return nil, postgresError(shown, err)
	}
	if schema.Newer() {
		return nil, newerSchemaError(shown, schema)
	}
	// Shared: any number of instances share the database; leases decide
	// which one sends (cluster.go).
	store, err := postgres.Open(context.Background(), sc.PostgresURL, postgres.Options{Now: opts.Now, Logger: opts.Logger, Shared: true})
	if err != nil {
		return nil, fmt.Errorf("cannot open the database %s: %w", shown, err)
	}
	return store, nil
}

// postgresError is a failed first contact with the database, with the
// fix.
func postgresError(shown string, err error) error {
	if errors.Is(err, postgres.ErrURL) {
		return fmt.Errorf("storage.postgres_url: %w", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cannot connect to the database %s: no answer within %s — check the host and port in storage.postgres_url, and that the server runs and accepts connections from this machine", shown, postgresConnectTimeout)
	}
	return fmt.Errorf("cannot connect to the database %s: %w — check storage.postgres_url (user, password, host, database name) and that the server runs and accepts connections from this machine", shown, err)
}

// newerSchemaError refuses a database a newer herald wrote.
func newerSchemaError(shown string, s postgres.Schema) error {
	return fmt.Errorf("the database %s was written by a newer herald (schema %d; this build knows up to %d) — upgrade herald to that version or later", shown, s.Version, s.Latest)
}
