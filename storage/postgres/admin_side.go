package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// The admin side: what the admin chats keep (sessions, admins' profiles,
// the audit log, chat records) and uploaded media.

// notFound turns "no row" into herald.ErrNotFound naming what was missing.
func notFound(err error, name string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", name, herald.ErrNotFound)
	}
	return err
}

// orEmpty is data as a NOT NULL column takes it: pgx writes a nil slice
// as NULL.
func orEmpty(data []byte) []byte {
	if data == nil {
		return []byte{}
	}
	return data
}

// exec runs one statement, wrapping its error with what.
func (s *Store) exec(what, sql string, args ...any) error {
	if _, err := s.pool.Exec(context.Background(), sql, args...); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

// queryRow reads one row into dest; no row is herald.ErrNotFound naming
// name.
func (s *Store) queryRow(what, name, sql string, args []any, dest ...any) error {
	if err := s.pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		return fmt.Errorf("storage: %s: %w", what, notFound(err, name))
	}
	return nil
}

// PutSession stores an admin's conversation state (opaque to storage).
func (s *Store) PutSession(key string, data []byte) error {
	return s.exec("save session", `INSERT INTO sessions (key, data) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET data = excluded.data`, []byte(key), orEmpty(data))
}

// Session returns a stored session or herald.ErrNotFound.
func (s *Store) Session(key string) ([]byte, error) {
	var data []byte
	err := s.queryRow("read session", "session "+key, `SELECT data FROM sessions WHERE key = $1`, []any{[]byte(key)}, &data)
	return data, err
}

// DeleteSession removes a session (a missing one is not an error: the
// conversation is over either way).
func (s *Store) DeleteSession(key string) error {
	return s.exec("delete session", `DELETE FROM sessions WHERE key = $1`, []byte(key))
}

// SaveAdmin stores an admin's profile.
func (s *Store) SaveAdmin(a herald.Admin) error {
	if err := storage.CheckAdmin(&a); err != nil {
		return err
	}
	profile, err := json.Marshal(&a)
	if err != nil {
		return fmt.Errorf("storage: save admin %s: %w", a.Key, err)
	}
	return s.exec("save admin "+a.Key, `INSERT INTO admins (key, profile) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET profile = excluded.profile`, a.Key, profile)
}

// Admin returns an admin's profile or herald.ErrNotFound.
func (s *Store) Admin(key string) (herald.Admin, error) {
	var a herald.Admin
	var profile []byte
	if err := s.queryRow("read admin "+key, key, `SELECT profile FROM admins WHERE key = $1`, []any{key}, &profile); err != nil {
		return a, err
	}
	if err := json.Unmarshal(profile, &a); err != nil {
		return a, fmt.Errorf("storage: read admin %s: %w", key, err)
	}
	return a, nil
}

// Audit appends an entry to the audit log (At is set when zero).
func (s *Store) Audit(e herald.AuditEntry) error {
	storage.StampAudit(&e, s.now)
	entry, err := json.Marshal(&e)
	if err != nil {
		return fmt.Errorf("storage: audit %s: %w", e.Action, err)
	}
	return s.exec("audit "+e.Action, `INSERT INTO audit (target, entry) VALUES ($1, $2)`, e.Target, entry)
}

// AuditLog returns the entries for a target (all when target is ""),
// newest first; limit 0 means all.
func (s *Store) AuditLog(target string, limit int) ([]herald.AuditEntry, error) {
	var lim *int64
	if limit > 0 {
		n := int64(limit)
		lim = &n
	}
	// Two statements, not "$1 = '' OR target = $1": a generic plan of that
	// could not use the target index.
	sql, args := `SELECT n, entry FROM audit ORDER BY n DESC LIMIT $1`, []any{lim}
	if target != "" {
		sql, args = `SELECT n, entry FROM audit WHERE target = $2 ORDER BY n DESC LIMIT $1`, append(args, target)
	}
	rows, err := s.pool.Query(context.Background(), sql, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: read audit log: %w", err)
	}
	out, err := scanJSONRows[herald.AuditEntry](rows, "audit")
	if err != nil {
		return nil, fmt.Errorf("storage: read audit log: %w", err)
	}
	return out, nil
}

// PutMedia stores an uploaded file (an image for a broadcast) and returns
// its new random ID (storage.NewMediaID).
func (s *Store) PutMedia(contentType string, data []byte) (string, error) {
	for {
		id := storage.NewMediaID()
		tag, err := s.pool.Exec(context.Background(), `INSERT INTO media (id, content_type, data) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO NOTHING`, id, contentType, orEmpty(data))
		if err != nil {
			return "", fmt.Errorf("storage: save media: %w", err)
		}
		if tag.RowsAffected() == 1 {
			return id, nil
		}
	}
}

// Media returns a stored file or herald.ErrNotFound.
func (s *Store) Media(id string) (contentType string, data []byte, err error) {
	err = s.queryRow("read media "+id, "media "+id, `SELECT content_type, data FROM media WHERE id = $1`, []any{id}, &contentType, &data)
	return contentType, data, err
}
