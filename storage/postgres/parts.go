package postgres

// The parts of this package meet only through these functions (each part
// owns its own tables and files; see README in migrations/ for numbers):
//
//   subscribers (subscribers*.go, migrations/0001_*.sql):
//     updateSubscribersTx, subscriberBySeqTx
//   broadcasts, runs, deliveries (broadcast*.go, run*.go, delivery*.go, 0002):
//     createBroadcastTx, broadcastTx, putBroadcastTx, deleteBroadcastTx,
//     startRunTx, runTx, putRunTx, deleteRunTx, addDeliveriesTx, deliveriesTx
//   engagement (taps, clicks, responses, inbound, admin side; 0003):
//     recordTapsTx, deleteBroadcastEngagementTx
//   sequences (sequence*.go, notes.go, 0004):
//     noteChanged, noteTrigger, committed
//
// A body here that does nothing is the skeleton's: the owning part
// replaces it (moving it to its own file) before the parts are merged.

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/jackc/pgx/v5"
)

// updateSubscribersTx is UpdateSubscribers inside tx: it reads (locking)
// or creates each keys[i], lets fn change it, and saves it. apply, called
// after tx commits, brings the audience index up to date with the saved
// changes (never call it if tx rolls back). (Subscribers part.)
func (s *Store) updateSubscribersTx(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error) (apply func(), err error) {
	return func() {}, nil
}

// subscriberBySeqTx reads one subscriber by Seq, or herald.ErrNotFound.
// (Subscribers part.)
func (s *Store) subscriberBySeqTx(ctx context.Context, tx pgx.Tx, seq uint32) (herald.Subscriber, error) {
	return herald.Subscriber{}, herald.ErrNotFound
}

// createBroadcastTx is CreateBroadcast inside tx. (Broadcasts part.)
func (s *Store) createBroadcastTx(ctx context.Context, tx pgx.Tx, b *herald.Broadcast) error {
	return nil
}

// broadcastTx reads a broadcast, locking its row for the rest of tx when
// forUpdate, or herald.ErrNotFound. (Broadcasts part.)
func (s *Store) broadcastTx(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (herald.Broadcast, error) {
	return herald.Broadcast{}, herald.ErrNotFound
}

// putBroadcastTx saves a changed broadcast (its name index too) inside tx,
// with the checks UpdateBroadcast makes. (Broadcasts part.)
func (s *Store) putBroadcastTx(ctx context.Context, tx pgx.Tx, old, b *herald.Broadcast) error {
	return nil
}

// deleteBroadcastTx removes a broadcast with its runs and deliveries, and
// (through deleteBroadcastEngagementTx) its taps and clicks. (Broadcasts
// part.)
func (s *Store) deleteBroadcastTx(ctx context.Context, tx pgx.Tx, old *herald.Broadcast) error {
	return nil
}

// startRunTx is StartRun inside tx. (Broadcasts part.)
func (s *Store) startRunTx(ctx context.Context, tx pgx.Tx, r *herald.Run, start func(b *herald.Broadcast) error) error {
	return nil
}

// runTx reads a run, locking its row when forUpdate, or herald.ErrNotFound.
// (Broadcasts part.)
func (s *Store) runTx(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (herald.Run, error) {
	return herald.Run{}, herald.ErrNotFound
}

// putRunTx saves a changed run inside tx. (Broadcasts part.)
func (s *Store) putRunTx(ctx context.Context, tx pgx.Tx, r *herald.Run) error {
	return nil
}

// deleteRunTx removes one run and its deliveries. (Broadcasts part.)
func (s *Store) deleteRunTx(ctx context.Context, tx pgx.Tx, id string) error {
	return nil
}

// addDeliveriesTx is AddDeliveries inside tx. (Broadcasts part.)
func (s *Store) addDeliveriesTx(ctx context.Context, tx pgx.Tx, runID string, ds []herald.Delivery) error {
	return nil
}

// deliveriesTx is Deliveries inside tx. (Broadcasts part.)
func (s *Store) deliveriesTx(ctx context.Context, tx pgx.Tx, runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	return nil, nil
}

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
