package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// With several instances on one database (Options.Shared) each keeps its
// own audience index, and follows the others' writes through the change
// log (index_log.go): LISTEN on a connection of its own, and for each
// NOTIFY of another instance's log row, read the row and apply it.
// NOTIFY is delivered at commit and in commit order, unlike polling a
// serial column, which misses rows of transactions that commit out of
// order. A notification is lost when the listening connection drops, so
// on reconnecting the instance reads again every row written since
// shortly before the last one it heard (applying a change twice is
// harmless: see subscriberState), or rebuilds the index when that is
// older than the log keeps.

const (
	// logKeep is how long log rows are kept.
	logKeep = 10 * time.Minute
	// commitLag bounds the time between a log row's writing and its
	// transaction's commit (the row is written last): a catch-up reads
	// from this much before the last moment heard.
	commitLag = time.Minute
	// beatEvery is how often an instance notifies its own heartbeat. Any
	// notification heard proves the listening connection alive, and a
	// beat's time (the database's clock) says that every transaction
	// committed before it was heard.
	beatEvery = 5 * time.Second
	// deafAfter is how long without hearing anything (beats included)
	// before the listening connection is taken for dead and replaced.
	deafAfter = 4 * beatEvery
	// pruneEvery is how often an instance deletes expired log rows.
	pruneEvery = time.Minute
)

// followState is what a shared store keeps to follow the others.
type followState struct {
	origin  string // this instance, in log rows and notifications
	channel string // the LISTEN channel, per schema

	// snap is the snapshot the index was built from (log rows of
	// transactions in it are skipped); heard is the database's time up
	// to which every notification was heard (at first, the snapshot's).
	// Set by build; only the following goroutine uses them after start.
	snap  string
	heard time.Time

	pid     atomic.Uint32 // the listening connection's backend, for tests
	listen  *pgx.Conn     // connected before the index is built
	pending []string      // payloads heard, not yet applied (hear)
	stop    context.CancelFunc
	done    chan struct{}
}

// prepareFollow names this instance and its channel, and starts
// listening before the index is built, so that nothing committed after
// the build's snapshot goes unheard.
func (s *Store) prepareFollow(ctx context.Context) error {
	f := &s.follow
	var b [8]byte
	_, _ = rand.Read(b[:])
	f.origin = hex.EncodeToString(b[:])
	// A channel name is an identifier (at most 63 bytes): the schema's
	// hash keeps deployments in two schemas of one database apart.
	if err := s.pool.QueryRow(ctx, `SELECT 'herald_index_' || md5(current_schema())`).Scan(&f.channel); err != nil {
		return fmt.Errorf("storage: connect to %s: %w", s.where, err)
	}
	conn, err := s.listenIndex(ctx)
	if err != nil {
		return err
	}
	f.listen = conn
	return nil
}

// listenIndex opens a connection of its own (not from the pool: it stays
// listening) and LISTENs on the channel.
func (s *Store) listenIndex(ctx context.Context) (*pgx.Conn, error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "herald index listener"
	// Notifications are collected as they come, also during a query, so
	// hear takes all that waited at once.
	s.follow.pending = nil
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) {
		s.follow.pending = append(s.follow.pending, n.Payload)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: listen on %s: %w", s.where, err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+pgx.Identifier{s.follow.channel}.Sanitize()); err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("storage: listen on %s: %w", s.where, err)
	}
	s.follow.pid.Store(conn.PgConn().PID())
	return conn, nil
}

// startFollow starts following the other instances (after the build).
func (s *Store) startFollow() {
	f := &s.follow
	ctx, stop := context.WithCancel(context.Background())
	f.stop, f.done = stop, make(chan struct{})
	go s.beat(ctx)
	go func() {
		defer close(f.done)
		s.followOthers(ctx)
	}()
}

// stopFollow ends following, before the pool closes.
func (s *Store) stopFollow() {
	f := &s.follow
	if f.stop != nil {
		f.stop()
		<-f.done
		f.stop = nil
	}
	if f.listen != nil {
		_ = f.listen.Close(context.Background())
		f.listen = nil
	}
}

// followOthers listens until ctx ends, reconnecting (and catching up)
// after a dropped connection.
func (s *Store) followOthers(ctx context.Context) {
	f := &s.follow
	wait := time.Second
	retry := func(msg string, err error) {
		s.logger.Warn(msg, "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
	for ctx.Err() == nil {
		if f.listen == nil {
			conn, err := s.listenIndex(ctx)
			if err != nil {
				if ctx.Err() == nil {
					retry("audience index: cannot listen for other instances' changes; retrying", err)
				}
				continue
			}
			f.listen = conn
		}
		if err := s.catchUp(ctx); err != nil {
			_ = f.listen.Close(context.Background())
			f.listen = nil
			if ctx.Err() == nil {
				retry("audience index: catching up with other instances failed; retrying", err)
			}
			continue
		}
		wait = time.Second
		err := s.hear(ctx)
		_ = f.listen.Close(context.Background())
		f.listen = nil
		if ctx.Err() == nil {
			s.logger.Warn("audience index: listening connection lost; reconnecting", "error", err)
		}
	}
}

// hear applies what the other instances notify until the connection
// fails or stays silent longer than deafAfter. Notifications that came
// while the last ones were applied are applied together: one query for
// their rows.
func (s *Store) hear(ctx context.Context) error {
	f := &s.follow
	for {
		if len(f.pending) == 0 {
			wctx, cancel := context.WithTimeout(ctx, deafAfter)
			err := f.listen.PgConn().WaitForNotification(wctx) // fills f.pending
			cancel()
			if err != nil {
				return err
			}
		}
		batch := f.pending
		f.pending = nil
		var (
			ids   []int64
			heard time.Time
		)
		for _, payload := range batch {
			kind, rest, _ := strings.Cut(payload, "/")
			switch kind {
			case "b": // a beat: DB microseconds since 1970
				if us, err := strconv.ParseInt(rest, 10, 64); err == nil && time.UnixMicro(us).After(heard) {
					heard = time.UnixMicro(us)
				}
			case "e": // a log row: id/origin
				id, origin, _ := strings.Cut(rest, "/")
				n, err := strconv.ParseInt(id, 10, 64)
				if err == nil && origin != f.origin { // its own are applied after commit
					ids = append(ids, n)
				}
			}
		}
		if len(ids) > 0 {
			if err := s.applyLog(ctx, `SELECT body FROM index_log WHERE id = ANY($1) ORDER BY id`, ids); err != nil {
				return err
			}
		}
		// Only now: what came before the beat is applied.
		if heard.After(f.heard) {
			f.heard = heard
		}
	}
}

// catchUp applies the other instances' log rows written since shortly
// before the last moment heard, except those in the index's snapshot; if
// the log no longer holds them all, it rebuilds the index.
func (s *Store) catchUp(ctx context.Context) error {
	f := &s.follow
	var gone bool
	if err := f.listen.QueryRow(ctx, `SELECT $1 < now() - $2 * interval '1 second'`, f.heard, (logKeep - commitLag).Seconds()).Scan(&gone); err != nil {
		return err
	}
	if gone {
		s.logger.Warn("audience index: out of touch longer than the change log keeps; rebuilding", "since", f.heard)
		s.subscribers.mu.Lock()
		err := s.build(ctx)
		s.subscribers.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return s.applyLog(ctx, `SELECT body FROM index_log
		WHERE at >= $1 AND origin <> $2 AND NOT pg_visible_in_snapshot(xid, $3::pg_snapshot) ORDER BY id`,
		f.heard.Add(-commitLag), f.origin, f.snap)
}

// applyLog reads log bodies with query and applies them to the index.
func (s *Store) applyLog(ctx context.Context, query string, args ...any) error {
	rows, err := s.follow.listen.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return err
	}
	for _, b := range bodies {
		changes, rs, err := decodeLog(b)
		if err != nil {
			return err
		}
		s.apply(changes)
		s.indexResponses(rs)
	}
	return nil
}

// beat notifies this instance's heartbeat every beatEvery, and deletes
// expired log rows every pruneEvery, through the pool.
func (s *Store) beat(ctx context.Context) {
	f := &s.follow
	t := time.NewTicker(beatEvery)
	defer t.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, 'b/' || (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)`, f.channel)
		if err == nil && time.Since(pruned) >= pruneEvery {
			// Several instances may prune at once: deleting is idempotent.
			_, err = s.pool.Exec(ctx, `DELETE FROM index_log WHERE at < now() - $1 * interval '1 second'`, logKeep.Seconds())
			pruned = time.Now()
		}
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("audience index: heartbeat failed", "error", err)
		}
	}
}
