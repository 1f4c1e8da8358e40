package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen runs LISTEN on the channel channelSQL names (an SQL expression,
// per schema) on a connection of its own, and calls got with each
// notification's payload until ctx ends. LISTEN/NOTIFY, because it is the
// database's own way to wake other sessions at once, with nothing to poll;
// it is best effort (a notification sent while the connection is down is
// lost), so each user also re-reads what it needs on its own schedule.
func (s *Store) listen(ctx context.Context, channelSQL string, got func(payload string)) {
	const first = 100 * time.Millisecond
	wait := first
	for ctx.Err() == nil {
		listened, err := s.listenOnce(ctx, channelSQL, got)
		if ctx.Err() != nil {
			return
		}
		if listened {
			wait = first // a drop after a good connection is a new trouble, not the same one
		}
		s.logger.Warn("storage: listen lost its connection; reconnecting", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails; listened says it
// got as far as LISTEN.
func (s *Store) listenOnce(ctx context.Context, channelSQL string, got func(payload string)) (listened bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	// A listening connection is never handed back to the pool: closed,
	// so no other query ever runs on a session that still listens.
	defer func() {
		_ = conn.Conn().Close(context.Background())
		conn.Release()
	}()
	var channel string
	if err := conn.QueryRow(ctx, `SELECT `+channelSQL).Scan(&channel); err != nil {
		return false, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return false, err
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		got(n.Payload)
	}
}

// notify sends payload on the channel channelSQL names.
func (s *Store) notify(ctx context.Context, channelSQL, payload string) error {
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify(`+channelSQL+`, $1)`, payload); err != nil {
		return fmt.Errorf("storage: notify: %w", err)
	}
	return nil
}

// forwardChannelSQL names the channel on which instances hand work to the
// holder of a lease (see Forward).
const forwardChannelSQL = `'herald_forward_' || md5(current_schema())`

// Forward tells every instance listening with ListenForwarded (in
// practice: the one holding the work) payload, at once.
func (s *Store) Forward(ctx context.Context, payload string) error {
	return s.notify(ctx, forwardChannelSQL, payload)
}

// ListenForwarded calls got with each payload Forward sends, until ctx
// ends.
func (s *Store) ListenForwarded(ctx context.Context, got func(payload string)) {
	s.listen(ctx, forwardChannelSQL, got)
}
