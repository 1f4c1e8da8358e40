// Package storage keeps Herald's state in one bbolt file and answers
// audience questions from an in-memory index rebuilt from that file at
// every start.
//
// Encoding: subscribers and deliveries are the hot, numerous records
// (millions of each), so they use a hand-written, versioned varint binary
// format (see codec.go): a few dozen bytes each, and decoding a million
// takes a fraction of a second, which matters because the audience index
// is rebuilt from them at every start. Broadcasts, runs, sessions, admins
// and audit entries are few, rich and still evolving, so they are JSON:
// readable in a dump and tolerant of added fields.
package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald/audience"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrLocked is returned by Open when another process holds the file lock.
var ErrLocked = errors.New("storage: database is locked by another process")

// ErrCorrupt is returned by Open when the file is not a valid Herald database.
var ErrCorrupt = errors.New("storage: database file is corrupt")

// defaultLockTimeout bounds the wait for another process's lock so a second
// bot says why it cannot start instead of hanging.
const defaultLockTimeout = 2 * time.Second

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process's file lock (default 2s).
	LockTimeout time.Duration
	// ReadOnly opens an existing file with a shared lock and never writes
	// (backups of a stopped bot, inspection). The audience index is then
	// built on first use.
	ReadOnly bool
	// Now is the clock for timestamps (default time.Now).
	Now func() time.Time
	// Logger receives operational messages (default: discarded).
	Logger *slog.Logger
	// TrimEvery is how often the pages of the file this process has read
	// are dropped from its resident set (default 25ms; negative: never).
	// They stay in the kernel's page cache, so a later read costs a minor
	// fault, not disk I/O; without it a run over a million recipients keeps
	// the whole file (hundreds of MB) in RSS. See resident.go. Linux only.
	TrimEvery time.Duration

	// migrations replaces the schema's migrations in tests.
	migrations []migration
}

// Store is Herald's bbolt database plus the in-memory audience index.
// It is safe for concurrent use.
type Store struct {
	db     *bolt.DB
	path   string
	now    func() time.Time
	logger *slog.Logger

	// subMu serialises subscriber writes from commit to index update, so
	// the index applies changes in commit order.
	subMu sync.Mutex

	// validator remembers time zones already found valid.
	validator SubscriberValidator

	indexOnce sync.Once
	index     *audience.Index
	indexErr  error

	trim *trimmer // nil when not trimming

	// notesWritten says a transaction wrote sequence notes; notesHook
	// hears it after the commit (see OnSequenceNotes).
	notesWritten atomic.Bool
	notesHook    atomic.Pointer[func()]
}

// Open opens (creating if needed) the database at path, migrates it and
// builds the audience index. A file locked by another process gives an
// error wrapping ErrLocked; a file that is not a Herald database gives one
// wrapping ErrCorrupt. Nothing is written to a file that fails to open.
func Open(path string, opts Options) (*Store, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = defaultLockTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.migrations == nil {
		opts.migrations = schemaMigrations()
	}
	if opts.TrimEvery == 0 {
		opts.TrimEvery = defaultTrimEvery
	}
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("storage: open %s: %w", path, err)
		}
	}
	if err := precheck(path); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
		return err
	})
	if err != nil {
		return nil, openError(path, err)
	}
	s := &Store{db: db, path: path, now: opts.Now, logger: opts.Logger, trim: startTrimmer(db, opts.TrimEvery)}
	if err := s.prepare(opts); err != nil {
		s.trim.close()
		_ = db.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		if err := s.ensureIndex(); err != nil {
			s.trim.close()
			_ = db.Close()
			return nil, err
		}
	}
	return s, nil
}

// openError turns bbolt's open failures into the two errors callers act on.
func openError(path string, err error) error {
	var de *DamagedError
	switch {
	case errors.As(err, &de):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("storage: another herald is running with %s (%w)", path, ErrLocked)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch):
		return damaged(path, reasonMeta, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return damaged(path, reasonShort, err)
	}
	return fmt.Errorf("storage: open %s: %w", path, err)
}

// prepare checks that the file is a Herald database of a schema this build
// knows, then runs pending migrations in one transaction. The check is a
// read transaction first, so a foreign or newer file is never written.
func (s *Store) prepare(opts Options) error {
	var version uint32
	err := s.view("open", func(tx *bolt.Tx) error {
		var verr error
		version, verr = schemaVersion(tx)
		return verr
	})
	var de *DamagedError
	if errors.As(err, &de) && de.Path == "" {
		de.Path = s.path // schemaVersion does not know the file's name
	}
	if err != nil {
		return err
	}
	latest := uint32(len(opts.migrations))
	switch {
	case version > latest:
		return fmt.Errorf("storage: open %s: written by a newer herald (schema %d, this build knows up to %d) — upgrade herald", s.path, version, latest)
	case version == latest:
		return nil
	case opts.ReadOnly:
		return fmt.Errorf("storage: open %s: schema %d needs migrating to %d — open it once without read-only", s.path, version, latest)
	}
	err = s.update("migrate", func(tx *bolt.Tx) error { return migrate(tx, version, opts.migrations) })
	if err != nil {
		return fmt.Errorf("storage: migrate %s: %w", s.path, err)
	}
	s.logger.Info("storage migrated", "path", s.path, "from_schema", version, "to_schema", latest)
	return nil
}

// ensureIndex builds the audience index once, from bbolt (the source of
// truth: after a crash the index is simply rebuilt).
func (s *Store) ensureIndex() error {
	s.indexOnce.Do(func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		start := time.Now()
		x, n, err := s.buildIndex()
		if err != nil {
			s.indexErr = fmt.Errorf("storage: build audience index: %w", err)
			return
		}
		s.index = x
		if s.trim != nil {
			trimMapping(s.db) // the rebuild read every subscriber page
		}
		s.logger.Info("audience index built", "subscribers", n, "took_ms", time.Since(start).Milliseconds())
	})
	return s.indexErr
}

// Close closes the database.
func (s *Store) Close() error {
	s.trim.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("storage: close %s: %w", s.path, err)
	}
	return nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// update runs a write transaction, wrapping its error with what. A
// damaged page or record it meets is a DamagedError, not a crash (see
// guard, recordDamage).
func (s *Store) update(what string, fn func(tx *bolt.Tx) error) error {
	err := guard(s.path, func() error { return recordDamage(s.path, s.db.Update(fn)) })
	s.trim.wrote()
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

// view runs a read transaction, wrapping its error with what. A damaged
// page or record it meets is a DamagedError, not a crash (see guard,
// recordDamage).
func (s *Store) view(what string, fn func(tx *bolt.Tx) error) error {
	if err := guard(s.path, func() error { return recordDamage(s.path, s.db.View(fn)) }); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	return nil
}

// u32 is a Seq as a bbolt key: big-endian, so keys sort in Seq order.
func u32(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

// u64 is a sequence number as a bbolt key.
func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }
