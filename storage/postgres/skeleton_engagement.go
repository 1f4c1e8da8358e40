package postgres

// Skeleton of the engagement part: the engagement part replaces everything here
// with its own files and deletes this one. Nothing here may be merged.

import (
	"context"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

var (
	_ = context.Background
	_ = time.Now
	_ storage.Records
	_ pgx.Tx
	_ herald.Broadcast
)

// recordTapsTx counts taps inside tx (people and presses, first
// responses). apply, called after commit, updates what is kept in memory.
// (Engagement part.)
func (s *Store) recordTapsTx(ctx context.Context, tx pgx.Tx, taps []herald.Tap) (apply func(), err error) {
	return func() {}, nil
}

// deleteBroadcastEngagementTx removes a deleted broadcast's taps, clicks
// and responses. (Engagement part.)
func (s *Store) deleteBroadcastEngagementTx(ctx context.Context, tx pgx.Tx, id string) error {
	return nil
}

func (s *Store) RecordInbound(ids []string, keys []herald.SubscriberKey, taps []herald.Tap, update func(i int, sub *herald.Subscriber, created bool) error) (repeat []bool, err error) {
	panic("postgres: RecordInbound is not written yet")
}

func (s *Store) RecordTaps(taps []herald.Tap) error {
	panic("postgres: RecordTaps is not written yet")
}

func (s *Store) Taps(broadcastID string) ([]herald.TapCount, error) {
	panic("postgres: Taps is not written yet")
}

func (s *Store) ClickSecret() ([]byte, error) {
	panic("postgres: ClickSecret is not written yet")
}

func (s *Store) RecordClicks(clicks []herald.Click) error {
	panic("postgres: RecordClicks is not written yet")
}

func (s *Store) Clicks(broadcastID string) ([]herald.TapCount, error) {
	panic("postgres: Clicks is not written yet")
}

func (s *Store) Clickers(broadcastID, buttonID string) ([]uint32, error) {
	panic("postgres: Clickers is not written yet")
}

func (s *Store) ButtonReach(broadcastID string) (map[string]map[herald.Account]int, error) {
	panic("postgres: ButtonReach is not written yet")
}

func (s *Store) Responders(broadcastID, buttonID string) (map[uint32]bool, error) {
	panic("postgres: Responders is not written yet")
}

func (s *Store) Responded() herald.RespondedFunc {
	panic("postgres: Responded is not written yet")
}

func (s *Store) ResponseTimeline(broadcastID string, start time.Time, bin time.Duration, n int) (herald.ResponseTimeline, error) {
	panic("postgres: ResponseTimeline is not written yet")
}

func (s *Store) PutSession(key string, data []byte) error {
	panic("postgres: PutSession is not written yet")
}

func (s *Store) Session(key string) ([]byte, error) {
	panic("postgres: Session is not written yet")
}

func (s *Store) DeleteSession(key string) error {
	panic("postgres: DeleteSession is not written yet")
}

func (s *Store) SaveAdmin(a herald.Admin) error {
	panic("postgres: SaveAdmin is not written yet")
}

func (s *Store) Admin(key string) (herald.Admin, error) {
	panic("postgres: Admin is not written yet")
}

func (s *Store) Audit(e herald.AuditEntry) error {
	panic("postgres: Audit is not written yet")
}

func (s *Store) AuditLog(target string, limit int) ([]herald.AuditEntry, error) {
	panic("postgres: AuditLog is not written yet")
}

func (s *Store) PutApprovalCards(broadcastID string, data []byte) error {
	panic("postgres: PutApprovalCards is not written yet")
}

func (s *Store) ApprovalCards(broadcastID string) ([]byte, error) {
	panic("postgres: ApprovalCards is not written yet")
}

func (s *Store) DeleteApprovalCards(broadcastID string) error {
	panic("postgres: DeleteApprovalCards is not written yet")
}

func (s *Store) ProgressMessages() storage.Records {
	panic("postgres: ProgressMessages is not written yet")
}

func (s *Store) ReportFollowUps() storage.Records {
	panic("postgres: ReportFollowUps is not written yet")
}

func (s *Store) PutMedia(contentType string, data []byte) (string, error) {
	panic("postgres: PutMedia is not written yet")
}

func (s *Store) Media(id string) (contentType string, data []byte, err error) {
	panic("postgres: Media is not written yet")
}

// eachResponseTx calls fn for every stored response (a tap or a click by
// a subscriber who still exists), for the index's rebuild.
func (s *Store) eachResponseTx(ctx context.Context, tx pgx.Tx, fn func(broadcastID, buttonID string, seq uint32)) error {
	return nil
}
