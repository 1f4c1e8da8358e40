package postgres

// Skeleton of the broadcasts part: the broadcasts part replaces everything here
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

func (s *Store) CreateBroadcast(b *herald.Broadcast) error {
	panic("postgres: CreateBroadcast is not written yet")
}

func (s *Store) Broadcast(id string) (herald.Broadcast, error) {
	panic("postgres: Broadcast is not written yet")
}

func (s *Store) UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	panic("postgres: UpdateBroadcast is not written yet")
}

func (s *Store) ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error) {
	panic("postgres: ListBroadcasts is not written yet")
}

func (s *Store) FindBroadcasts(text string, limit int) ([]herald.Broadcast, error) {
	panic("postgres: FindBroadcasts is not written yet")
}

func (s *Store) DeleteBroadcast(id string) error {
	panic("postgres: DeleteBroadcast is not written yet")
}

func (s *Store) DeleteBroadcastIf(id string, ok func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	panic("postgres: DeleteBroadcastIf is not written yet")
}

func (s *Store) CreateRun(r *herald.Run) error {
	panic("postgres: CreateRun is not written yet")
}

func (s *Store) StartRun(r *herald.Run, start func(b *herald.Broadcast) error) error {
	panic("postgres: StartRun is not written yet")
}

func (s *Store) UpdateBroadcastRun(id string, fn func(b *herald.Broadcast, last *herald.Run) error) (herald.Broadcast, error) {
	panic("postgres: UpdateBroadcastRun is not written yet")
}

func (s *Store) Run(id string) (herald.Run, error) {
	panic("postgres: Run is not written yet")
}

func (s *Store) UpdateRun(id string, fn func(r *herald.Run) error) (herald.Run, error) {
	panic("postgres: UpdateRun is not written yet")
}

func (s *Store) RunsOf(broadcastID string) ([]herald.Run, error) {
	panic("postgres: RunsOf is not written yet")
}

func (s *Store) RunTimeline(runID string) ([]herald.MinuteCount, error) {
	panic("postgres: RunTimeline is not written yet")
}

func (s *Store) AddDeliveries(runID string, ds []herald.Delivery) error {
	panic("postgres: AddDeliveries is not written yet")
}

func (s *Store) RecordOutcomes(runID string, ds []herald.Delivery) error {
	panic("postgres: RecordOutcomes is not written yet")
}

func (s *Store) Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	panic("postgres: Deliveries is not written yet")
}

func (s *Store) PendingDeliveries(runID string, p herald.Platform, after uint32, limit int) ([]herald.Delivery, error) {
	panic("postgres: PendingDeliveries is not written yet")
}

func (s *Store) CommitDeliveries(runID string, started []uint32, ds []herald.Delivery) error {
	panic("postgres: CommitDeliveries is not written yet")
}

func (s *Store) InFlight(runID string) ([]herald.Delivery, error) {
	panic("postgres: InFlight is not written yet")
}

func (s *Store) SettleInFlight(runID string, ds []herald.Delivery, uncertain bool) error {
	panic("postgres: SettleInFlight is not written yet")
}
