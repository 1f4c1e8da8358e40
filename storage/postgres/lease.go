package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lease is one row of the leases table: who does one piece of work that
// must run on one instance at a time, until when.
type Lease struct {
	Name   string
	Holder string
	// Term grows by one each time the lease changes hands.
	Term int64
	// Left is how long the lease still runs, by the database's clock.
	Left time.Duration
}

// ErrLeaseHeld is returned by Acquire while another holder's lease runs.
var ErrLeaseHeld = errors.New("storage: lease held by another instance")

// ErrLeaseLost is returned by Renew when the lease is no longer the
// holder's: it expired and another instance took it.
var ErrLeaseLost = errors.New("storage: lease lost")

// AcquireLease takes the named lease for holder for ttl: when it is free,
// expired, or holder's already (then it is renewed). One statement, so
// two instances racing for it cannot both win; expiry is judged by the
// database's clock.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error) {
	l := Lease{Name: name}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO leases (name, holder, term, expires_at) VALUES ($1, $2, 1, now() + $3::interval)
		ON CONFLICT (name) DO UPDATE SET
			holder = EXCLUDED.holder,
			term = leases.term + CASE WHEN leases.holder = EXCLUDED.holder THEN 0 ELSE 1 END,
			expires_at = EXCLUDED.expires_at
		WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= now()
		RETURNING holder, term, expires_at - now()`, name, holder, ttl).Scan(&l.Holder, &l.Term, &l.Left)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, ErrLeaseHeld
	}
	if err != nil {
		return Lease{}, fmt.Errorf("storage: acquire lease %s: %w", name, err)
	}
	return l, nil
}

// RenewLease extends holder's lease by ttl from now, if it is still
// holder's in the same term and has not expired; otherwise ErrLeaseLost.
// An expired lease is never renewed, even when nobody took it: the holder
// may have stopped at its expiry, and must start again through Acquire.
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	err := s.pool.QueryRow(ctx, `
		UPDATE leases SET expires_at = now() + $4::interval
		WHERE name = $1 AND holder = $2 AND term = $3 AND expires_at > now()
		RETURNING expires_at - now()`, l.Name, l.Holder, l.Term, ttl).Scan(&l.Left)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, ErrLeaseLost
	}
	if err != nil {
		return Lease{}, fmt.Errorf("storage: renew lease %s: %w", l.Name, err)
	}
	return l, nil
}

// ReleaseLease gives the lease up (a clean shutdown) and tells the other
// instances at once (NOTIFY on LeaseChannel), so one takes the work over
// without waiting for the expiry.
func (s *Store) ReleaseLease(ctx context.Context, l Lease) error {
	return s.write("release lease "+l.Name, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE leases SET expires_at = now() WHERE name = $1 AND holder = $2 AND term = $3`, l.Name, l.Holder, l.Term)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = tx.Exec(ctx, `SELECT pg_notify(`+leaseChannelSQL+`, $1)`, l.Name)
		return err
	})
}

// Leases are the leases as the database has them now (expired ones with a
// Left of zero or less).
func (s *Store) Leases(ctx context.Context) ([]Lease, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, holder, term, expires_at - now() FROM leases ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("storage: leases: %w", err)
	}
	ls, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Lease])
	if err != nil {
		return nil, fmt.Errorf("storage: leases: %w", err)
	}
	return ls, nil
}

// leaseChannelSQL names the LISTEN channel of released leases; per schema,
// as every lock and channel here is (see the package comment).
const leaseChannelSQL = `'herald_lease_' || md5(current_schema())`

// ListenLeases calls released with a lease's name each time another
// instance releases it, until ctx ends; it reconnects after a lost
// connection (a missed release then costs at most the standby's poll).
func (s *Store) ListenLeases(ctx context.Context, released func(name string)) {
	s.listen(ctx, leaseChannelSQL, released)
}
