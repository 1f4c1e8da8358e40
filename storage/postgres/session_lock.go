package postgres

import (
	"context"
	"fmt"
)

// LockSession holds the lock of one admin conversation (session key)
// across every instance sharing the database, until unlock is called: two
// instances that get the same admin's quick successive presses apply them
// one at a time, in order, each reading the session the other saved. A
// session-level advisory lock, because it is the database's own mutex,
// waits in a queue without polling, and goes with the connection if the
// process dies mid-turn; the key is derived from the schema, as every
// lock here is. The connection is held for the turn, so at most half the
// pool holds turns at once (the other half serves their queries).
func (s *Store) LockSession(ctx context.Context, key string) (unlock func(), err error) {
	select {
	case s.turns <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		<-s.turns
		return nil, fmt.Errorf("storage: lock session: %w", err)
	}
	const lockKey = `hashtextextended(current_schema() || '/session/' || $1, 0)`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`, key); err != nil {
		// The lock may have been granted as the wait was canceled: a
		// closed connection gives it back for sure.
		_ = conn.Conn().Close(context.Background())
		conn.Release()
		<-s.turns
		return nil, fmt.Errorf("storage: lock session: %w", err)
	}
	return func() {
		if _, err := conn.Exec(context.Background(), `SELECT pg_advisory_unlock(`+lockKey+`)`, key); err != nil {
			_ = conn.Conn().Close(context.Background()) // its session, and so the lock, ends
		}
		conn.Release()
		<-s.turns
	}, nil
}
