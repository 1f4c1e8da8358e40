package storage

// API CONTRACT STUB — written first so flows, dispatch and cmd/bot compile
// against it while storage is built. The storage owner replaces every body
// (and this header) and may add methods, but keeps these signatures.

import (
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/heraldbot/herald"
)

var errTODO = errors.New("storage: not implemented yet")

// ErrLocked is returned by Open when another process holds the file lock.
var ErrLocked = errors.New("storage: database is locked by another process")

// ErrCorrupt is returned by Open when the file is not a valid Herald database.
var ErrCorrupt = errors.New("storage: database file is corrupt")

// Options tune Open.
type Options struct {
	// LockTimeout bounds the wait for another process's file lock (default 2s).
	LockTimeout time.Duration
	ReadOnly    bool
	Now         func() time.Time
	Logger      *slog.Logger
}

// Store is Herald's bbolt database plus the in-memory audience index.
type Store struct{}

// Open opens (creating if needed) the database at path, migrates it and
// builds the audience index.
func Open(path string, opts Options) (*Store, error) { return nil, errTODO }

// Close closes the database.
func (s *Store) Close() error { return errTODO }

// Path is the database file.
func (s *Store) Path() string { return "" }

// Backup writes a consistent copy of the database to w while writes go on.
func (s *Store) Backup(w io.Writer) (int64, error) { return 0, errTODO }

// --- broadcasts

// BroadcastQuery selects broadcasts for listing, newest first.
type BroadcastQuery struct {
	Statuses []herald.Status // empty: all
	Offset   int
	Limit    int // 0: no limit
}

// CreateBroadcast stores a new broadcast, assigning ID (if empty),
// CreatedAt and UpdatedAt. A name already used by an unfinished broadcast is
// herald.ErrConflict.
func (s *Store) CreateBroadcast(b *herald.Broadcast) error { return errTODO }

// Broadcast returns one broadcast or herald.ErrNotFound.
func (s *Store) Broadcast(id string) (herald.Broadcast, error) { return herald.Broadcast{}, errTODO }

// UpdateBroadcast reads, changes with fn and writes one broadcast in a
// single transaction; fn's error aborts. Status changes are checked with
// herald.Transition.
func (s *Store) UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	return herald.Broadcast{}, errTODO
}

// ListBroadcasts lists broadcasts newest first.
func (s *Store) ListBroadcasts(q BroadcastQuery) ([]herald.Broadcast, error) { return nil, errTODO }

// FindBroadcasts finds broadcasts by ID or by a case-insensitive part of the name.
func (s *Store) FindBroadcasts(text string, limit int) ([]herald.Broadcast, error) {
	return nil, errTODO
}

// DeleteBroadcast removes a broadcast with its runs and deliveries.
func (s *Store) DeleteBroadcast(id string) error { return errTODO }

// --- subscribers

// PutSubscribers inserts or replaces subscribers in one transaction, keeping
// Seq and FirstSeen of existing ones.
func (s *Store) PutSubscribers(subs []herald.Subscriber) error { return errTODO }

// UpdateSubscriber reads (or creates, with created=true) the subscriber at
// key, applies fn and writes it back, in one transaction.
func (s *Store) UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error) {
	return herald.Subscriber{}, errTODO
}

// UpdateSubscribers is UpdateSubscriber for many keys in one transaction
// (webhook bursts); fn gets the index into keys.
func (s *Store) UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error {
	return errTODO
}

// Subscriber returns one subscriber or herald.ErrNotFound.
func (s *Store) Subscriber(key herald.SubscriberKey) (herald.Subscriber, error) {
	return herald.Subscriber{}, errTODO
}

// DeleteSubscriber erases a subscriber (a person's request for erasure).
func (s *Store) DeleteSubscriber(key herald.SubscriberKey) error { return errTODO }

// EachSubscriber streams every subscriber in Seq order. sub is reused
// between calls: copy what you keep.
func (s *Store) EachSubscriber(fn func(sub *herald.Subscriber) error) error { return errTODO }

// --- audience (answered by the in-memory index, kept in step with writes)

// Count sizes an audience with its breakdown.
func (s *Store) Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error) {
	return herald.Count{}, errTODO
}

// TagCount is a tag and how many reachable subscribers carry it.
type TagCount struct {
	Tag   string
	Count int
}

// Tags lists tags on at least one reachable subscriber, most used first.
func (s *Store) Tags() []TagCount { return nil }

// EachRecipient streams the subscribers matching a in Seq order without
// holding them all in memory. sub is reused between calls.
func (s *Store) EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error {
	return errTODO
}

// --- runs and deliveries

// CreateRun stores a new run of a broadcast, assigning ID "<bid>/<n>" and
// incrementing the broadcast's Runs in the same transaction.
func (s *Store) CreateRun(r *herald.Run) error { return errTODO }

// Run returns one run or herald.ErrNotFound.
func (s *Store) Run(id string) (herald.Run, error) { return herald.Run{}, errTODO }

// UpdateRun reads, changes with fn and writes one run atomically.
func (s *Store) UpdateRun(id string, fn func(r *herald.Run) error) (herald.Run, error) {
	return herald.Run{}, errTODO
}

// RunsOf lists a broadcast's runs, oldest first.
func (s *Store) RunsOf(broadcastID string) ([]herald.Run, error) { return nil, errTODO }

// AddDeliveries appends snapshot records (normally Pending) to a run in one
// transaction and adds them to the run's Total and Tally.
func (s *Store) AddDeliveries(runID string, ds []herald.Delivery) error { return errTODO }

// RecordOutcomes writes final outcomes for a batch of a run's deliveries in
// one transaction (group commit) and moves the run's Tally to match, so the
// tally is exact after a crash.
func (s *Store) RecordOutcomes(runID string, ds []herald.Delivery) error { return errTODO }

// Deliveries returns up to limit deliveries of a run with Seq > after, in
// Seq order, filtered by outcome when outcome is not "".
func (s *Store) Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	return nil, errTODO
}

// --- admin sessions, profiles, media

// PutSession stores an admin's conversation state (opaque to storage).
func (s *Store) PutSession(key string, data []byte) error { return errTODO }

// Session returns a stored session or herald.ErrNotFound.
func (s *Store) Session(key string) ([]byte, error) { return nil, errTODO }

// DeleteSession removes a session.
func (s *Store) DeleteSession(key string) error { return errTODO }

// SaveAdmin stores an admin's profile.
func (s *Store) SaveAdmin(a herald.Admin) error { return errTODO }

// Admin returns an admin's profile or herald.ErrNotFound.
func (s *Store) Admin(key string) (herald.Admin, error) { return herald.Admin{}, errTODO }

// PutMedia stores an uploaded file (an image for a broadcast) and returns its ID.
func (s *Store) PutMedia(contentType string, data []byte) (string, error) { return "", errTODO }

// Media returns a stored file or herald.ErrNotFound.
func (s *Store) Media(id string) (contentType string, data []byte, err error) {
	return "", nil, errTODO
}

// --- audit

// Audit appends an entry to the audit log (At is set when zero).
func (s *Store) Audit(e herald.AuditEntry) error { return errTODO }

// AuditLog returns the entries for a target (all when target is ""), newest first.
func (s *Store) AuditLog(target string, limit int) ([]herald.AuditEntry, error) {
	return nil, errTODO
}
