package storage

import (
	"time"

	"github.com/heraldbot/herald"
)

// Backend is everything Herald keeps, whichever engine keeps it: the
// bbolt file (*Store, the default) or PostgreSQL (storage/postgres). Each
// package that stores something names the part it uses in an interface
// of its own; Backend is their union, which cmd/bot wires and the
// contract suite (storage/storagetest) runs against both engines. What
// only one engine can do (a bbolt file's backup, check and path) is not
// here; nor is what only a store shared by several processes needs
// (PostgreSQL's LockSession, which flows finds as flows.SessionLocker).
type Backend interface {
	SubscriberStore
	BroadcastStore
	EngagementStore
	SequenceStore
	// ProbeWrite proves the store takes writes now (/healthz).
	ProbeWrite() error
	Close() error
}

// SubscriberStore keeps subscribers (their tags, attributes, activity and
// consent) and answers audiences from the in-memory index.
type SubscriberStore interface {
	PutSubscribers(subs []herald.Subscriber) error
	UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error)
	UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
	DeleteSubscriber(key herald.SubscriberKey) error
	FindSubscribers(text string, limit int) ([]herald.Subscriber, error)
	Recipients(ds []herald.Delivery) (subs []herald.Subscriber, errs []error)
	EachSubscriber(fn func(sub *herald.Subscriber) error) error
	EachSubscriberFrom(after uint32, fn func(sub *herald.Subscriber) error) error
	MoveSubscriber(from, to herald.SubscriberKey) (herald.Subscriber, error)
	Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error)
	Tags() []herald.TagCount
	EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error
}

// BroadcastStore keeps broadcasts, their runs and each run's
// per-recipient records.
type BroadcastStore interface {
	CreateBroadcast(b *herald.Broadcast) error
	Broadcast(id string) (herald.Broadcast, error)
	UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error)
	ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error)
	FindBroadcasts(text string, limit int) ([]herald.Broadcast, error)
	DeleteBroadcast(id string) error
	DeleteBroadcastIf(id string, ok func(b *herald.Broadcast) error) (herald.Broadcast, error)

	CreateRun(r *herald.Run) error
	StartRun(r *herald.Run, start func(b *herald.Broadcast) error) error
	UpdateBroadcastRun(id string, fn func(b *herald.Broadcast, last *herald.Run) error) (herald.Broadcast, error)
	Run(id string) (herald.Run, error)
	UpdateRun(id string, fn func(r *herald.Run) error) (herald.Run, error)
	RunsOf(broadcastID string) ([]herald.Run, error)
	RunTimeline(runID string) ([]herald.MinuteCount, error)

	AddDeliveries(runID string, ds []herald.Delivery) error
	RecordOutcomes(runID string, ds []herald.Delivery) error
	Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error)
	PendingDeliveries(runID string, p herald.Platform, after uint32, limit int) ([]herald.Delivery, error)
	CommitDeliveries(runID string, started []uint32, ds []herald.Delivery) error
	InFlight(runID string) ([]herald.Delivery, error)
	SettleInFlight(runID string, ds []herald.Delivery, uncertain bool) error
}

// EngagementStore keeps what comes back (inbound events, taps, clicks,
// responses) and what the admin side keeps (sessions, admins, audit,
// approval cards, chat records, media).
type EngagementStore interface {
	RecordInbound(ids []string, keys []herald.SubscriberKey, taps []herald.Tap,
		update func(i int, sub *herald.Subscriber, created bool) error) (repeat []bool, err error)
	RecordTaps(taps []herald.Tap) error
	Taps(broadcastID string) ([]herald.TapCount, error)
	ClickSecret() ([]byte, error)
	RecordClicks(clicks []herald.Click) error
	Clicks(broadcastID string) ([]herald.TapCount, error)
	Clickers(broadcastID, buttonID string) ([]uint32, error)
	ButtonReach(broadcastID string) (map[string]map[herald.Account]int, error)
	Responders(broadcastID, buttonID string) (map[uint32]bool, error)
	Responded() herald.RespondedFunc
	ResponseTimeline(broadcastID string, start time.Time, bin time.Duration, n int) (herald.ResponseTimeline, error)

	PutSession(key string, data []byte) error
	Session(key string) ([]byte, error)
	DeleteSession(key string) error
	SaveAdmin(a herald.Admin) error
	Admin(key string) (herald.Admin, error)
	Audit(e herald.AuditEntry) error
	AuditLog(target string, limit int) ([]herald.AuditEntry, error)
	PutApprovalCards(broadcastID string, data []byte) error
	ApprovalCards(broadcastID string) ([]byte, error)
	DeleteApprovalCards(broadcastID string) error
	ProgressMessages() Records
	ReportFollowUps() Records
	PutMedia(contentType string, data []byte) (string, error)
	Media(id string) (contentType string, data []byte, err error)
}

// Records is one kind of what the admin chats keep by key across a
// restart (see ChatRecords).
type Records interface {
	Put(key string, data []byte) error
	All() (map[string][]byte, error)
	Delete(key string) error
}

// SequenceStore keeps sequences (drips), who is where in them, and the
// notes of what may start or end them.
type SequenceStore interface {
	CreateSequence(q *herald.Sequence) error
	Sequence(id string) (herald.Sequence, error)
	Sequences() ([]herald.Sequence, error)
	UpdateSequence(id string, fn func(q *herald.Sequence) error) (herald.Sequence, error)
	DeleteSequence(id string) (herald.Sequence, error)
	EnrollMatching(kind herald.TriggerKind, detail string, sub uint32, now time.Time, timing herald.StepTiming) ([]string, error)
	NextSequenceDue() (time.Time, bool, error)
	TakeEvent(id string, at time.Time) (bool, error)
	SequenceRuns() ([]string, error)
	LeaveSequences(sub uint32, leaves func(q *herald.Sequence) bool) ([]string, error)
	HandOutSteps(now time.Time, batch int, timing herald.StepTiming) ([]string, int, error)
	AdvanceStepRun(runID string, timing herald.StepTiming) error
	OnSequenceNotes(fn func())
	ApplySequenceNotes(now time.Time, limit int, timing herald.StepTiming) (int, error)
	PruneStepRuns(cutoff time.Time) (int, error)
}

var _ Backend = (*Store)(nil)
