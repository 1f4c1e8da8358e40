package storage

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/heraldbot/herald"
)

// The engagement part's rules, shared by both engines (bbolt here,
// PostgreSQL in storage/postgres): what only differs by how it is kept.

// SeenWindow is how long an event ID is remembered, at least: platforms
// redeliver within minutes to hours, so a day leaves room to spare.
const SeenWindow = 24 * time.Hour

// maxSeenKey is the longest event ID kept as is; longer ones (a Messenger
// postback key with its payload) are kept as their SHA-256.
const maxSeenKey = 64

// AppendSeenKey appends event ID id as it is remembered to dst: as is, or
// its SHA-256 when long.
func AppendSeenKey(dst []byte, id string) []byte {
	if len(id) > maxSeenKey {
		sum := sha256.Sum256([]byte(id))
		return append(dst, sum[:]...)
	}
	return append(dst, id...)
}

// CheckInbound refuses a batch of inbound events whose IDs, subscriber
// keys and taps do not line up one to one.
func CheckInbound(ids []string, keys []herald.SubscriberKey, taps []herald.Tap) error {
	if len(keys) != len(ids) || len(taps) != len(ids) {
		return fmt.Errorf("storage: record inbound: %d IDs, %d keys, %d taps", len(ids), len(keys), len(taps))
	}
	return nil
}

// Reach counts, per button ID, the different people who tapped or clicked
// it on each platform account (ButtonReach).
type Reach map[string]map[herald.Account]int

// Add counts one more person on acc for button.
func (r Reach) Add(button string, acc herald.Account) {
	if r[button] == nil {
		r[button] = map[herald.Account]int{}
	}
	r[button][acc]++
}

// ResponseTime is the time kept of a first tap or click, in Unix seconds;
// ok is false for one without a usable time (the zero time, or one too
// early to tell from bbolt's old "present" marker), which counts in the
// totals but not over time.
func ResponseTime(at time.Time) (unix int64, ok bool) {
	if at.Unix() < 1<<7 {
		return 0, false
	}
	return at.Unix(), true
}

// NewResponseTimeline is the empty timeline ResponseTimeline fills, or an
// error for bins it cannot count in.
func NewResponseTimeline(broadcastID string, start time.Time, bin time.Duration, n int) (herald.ResponseTimeline, error) {
	out := herald.ResponseTimeline{Start: start, Bin: bin, Taps: make([]int, max(n, 0)), Clicks: make([]int, max(n, 0))}
	if bin < time.Second || n <= 0 {
		return out, fmt.Errorf("storage: read responses of %s: bad bins (%d of %v)", broadcastID, n, bin)
	}
	return out, nil
}

// BinFirstResponses adds to bins each person's earliest response (Unix
// seconds, one per person): one before start is an earlier run's and
// counts nowhere, one after the last bin neither.
func BinFirstResponses(bins []int, start time.Time, bin time.Duration, firsts iter.Seq[int64]) {
	from, width := start.Unix(), int64(bin/time.Second)
	for at := range firsts {
		if at < from {
			continue
		}
		if i := (at - from) / width; i < int64(len(bins)) {
			bins[i]++
		}
	}
}

// ClickSecretSize is the length in bytes of the key that signs tracked
// links (ClickSecret).
const ClickSecretSize = 32

// NewClickSecret generates a new key for ClickSecret.
func NewClickSecret() ([]byte, error) {
	key := make([]byte, ClickSecretSize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return key, nil
}

// MediaIDLen gives 32^10 (about 10^15) IDs: unguessable enough for a
// link that is only ever served to the platforms' fetchers.
const MediaIDLen = 10

const mediaAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// NewMediaID is a new random media ID (PutMedia retries the rare one
// already taken).
func NewMediaID() string {
	b := make([]byte, MediaIDLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported systems
	for i, c := range b {
		b[i] = mediaAlphabet[int(c)%len(mediaAlphabet)]
	}
	return string(b)
}

// errAdminKey refuses an admin profile without a key.
var errAdminKey = errors.New("storage: save admin: empty key")

// CheckAdmin is the rule an admin profile must pass to be saved.
func CheckAdmin(a *herald.Admin) error {
	if a.Key == "" {
		return errAdminKey
	}
	return nil
}

// StampAudit sets an audit entry's time when the caller left it zero.
func StampAudit(e *herald.AuditEntry, now func() time.Time) {
	if e.At.IsZero() {
		e.At = now().UTC()
	}
}

// RecordKind is one kind of the admin chats' records kept by key (see
// Records): its name in storage and, in errors, what one record is.
type RecordKind struct {
	Name string // "progress_messages"
	What string // "progress message"
}

// The kinds of chat records.
var (
	// ApprovalCardRecords keeps, by broadcast ID, the admin chat messages
	// that ask for its approval (opaque here: adminchat's record of where
	// it posted them), so that a decision after a restart still closes
	// them.
	ApprovalCardRecords = RecordKind{Name: "approval_cards", What: "approval cards"}
	// ProgressMessageRecords keeps, by run ID, where a run's progress
	// message is in its admin chat, so that after a restart the run edits
	// that message instead of posting a second one, and a run that ended
	// just before a crash still shows its end.
	ProgressMessageRecords = RecordKind{Name: "progress_messages", What: "progress message"}
	// ReportFollowUpRecords keeps, by run ID, the reports still to be
	// updated with later taps and clicks, so the updates at 1 h and 24 h
	// after a run happen even across a restart.
	ReportFollowUpRecords = RecordKind{Name: "report_followups", What: "report follow-up"}
)

// RecordKinds lists every kind of chat record (a migration copies each).
func RecordKinds() []RecordKind {
	return []RecordKind{ApprovalCardRecords, ProgressMessageRecords, ReportFollowUpRecords}
}
