package dispatch

import (
	"time"

	"github.com/heraldbot/herald"
)

// Broadcasts is what the engine needs of stored broadcasts.
type Broadcasts interface {
	Broadcast(id string) (herald.Broadcast, error)
	UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error)
}

// Runs stores runs and their per-recipient records (checkpoints).
type Runs interface {
	CreateRun(r *herald.Run) error
	// StartRun creates a run in the transaction in which start lets the
	// broadcast have it (and marks it sending).
	StartRun(r *herald.Run, start func(b *herald.Broadcast) error) error
	// UpdateBroadcastRun changes a broadcast and its last run (nil: none)
	// in one transaction: pause, resume and cancel decide on both.
	UpdateBroadcastRun(id string, fn func(b *herald.Broadcast, last *herald.Run) error) (herald.Broadcast, error)
	Run(id string) (herald.Run, error)
	UpdateRun(id string, fn func(r *herald.Run) error) (herald.Run, error)
	RunsOf(broadcastID string) ([]herald.Run, error)
}

// Deliveries are a run's recipients: appended at snapshot, paged by the
// workers, and given outcomes in group commits. PendingDeliveries pages
// one platform's pending recipients only, so no channel reads another's.
type Deliveries interface {
	AddDeliveries(runID string, ds []herald.Delivery) error
	RecordOutcomes(runID string, ds []herald.Delivery) error
	InFlight
	Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error)
	PendingDeliveries(runID string, p herald.Platform, after uint32, limit int) ([]herald.Delivery, error)
}

// InFlight keeps which recipients' sends have started (see Uncertain):
// CommitDeliveries marks them in the group commit that records earlier
// outcomes; an outcome removes the mark.
type InFlight interface {
	CommitDeliveries(runID string, started []uint32, ds []herald.Delivery) error
	InFlight(runID string) ([]herald.Delivery, error)
	SettleInFlight(runID string, ds []herald.Delivery, uncertain bool) error
}

// Subscribers resolves audiences and reads and updates subscribers.
type Subscribers interface {
	EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
	// Recipients reads the subscribers of a run's deliveries, each as
	// Subscriber reads its Recipient, in one go: subs[i] and errs[i]
	// answer ds[i].
	Recipients(ds []herald.Delivery) (subs []herald.Subscriber, errs []error)
	UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error)
}

// Auditor records who did what.
type Auditor interface {
	Audit(e herald.AuditEntry) error
}

// Store is everything the engine keeps in storage; *storage.Store is one.
type Store interface {
	Broadcasts
	Runs
	Deliveries
	Subscribers
	Auditor
}
