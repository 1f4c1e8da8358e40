package main

import (
	"path/filepath"
	"strings"

	"github.com/heraldbot/herald/storage/postgres"
)

// The storage engines (storage.driver).
const (
	driverBBolt    = "bbolt"
	driverPostgres = "postgres"
)

// validateStorage checks storage: a known driver and what it needs. A
// PostgreSQL URL is never quoted back: it holds the password.
func (c *Config) validateStorage(add addFunc) {
	s := c.Storage
	switch s.Driver {
	case driverBBolt:
		if strings.TrimSpace(s.Path) == "" {
			add("storage.path", `must not be empty — e.g. "./data/herald.db"`)
		}
		if s.PostgresURL != "" {
			add("storage.postgres_url", "is set but storage.driver is bbolt, so it would be unused — set driver: postgres to use PostgreSQL, or remove postgres_url (or unset the variable it names)")
		}
	case driverPostgres:
		switch {
		case strings.TrimSpace(s.PostgresURL) == "":
			add("storage.postgres_url", `must be set when storage.driver is postgres — e.g. postgres_url: "${HERALD_DATABASE_URL}" with HERALD_DATABASE_URL=postgres://herald:PASSWORD@db.example.org:5432/herald exported`)
		default:
			if err := postgres.CheckURL(s.PostgresURL); err != nil {
				add("storage.postgres_url", "%v", err)
			}
		}
	case "":
		add("storage.driver", "must not be empty — use bbolt (one file, the default) or postgres")
	default:
		add("storage.driver", "%q is not a storage engine — use bbolt (one file, the default) or postgres", s.Driver)
	}
}

// postgres reports whether the bot keeps its data in PostgreSQL.
func (s StorageConfig) postgres() bool { return s.Driver == driverPostgres }

// shown names the database for messages and logs: the file, or the
// PostgreSQL URL without its password.
func (s StorageConfig) shown() string {
	if s.postgres() {
		if postgres.CheckURL(s.PostgresURL) != nil {
			return "storage.postgres_url" // Redact cannot be sure of a malformed URL
		}
		return postgres.Redact(s.PostgresURL)
	}
	return filepath.Clean(s.Path)
}
