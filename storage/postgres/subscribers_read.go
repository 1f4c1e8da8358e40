package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// subscriberChunk is how many subscribers one query of a stream reads:
// long enough to amortise the round trip, short enough that a stream of
// millions never holds them all.
const subscriberChunk = 1000

// querier (deliveries.go) is a transaction or the pool: what a read needs.

// recordChunk holds copies of up to a chunk of records, in one reused
// buffer, to decode after the query's rows are closed (so fn may use the
// store while a stream goes on).
type recordChunk struct {
	buf  []byte
	seqs []uint32
	ends []int
}

// readChunk runs sql (selecting seq, record) into c.
func (s *Store) readChunk(c *recordChunk, sql string, args ...any) error {
	c.buf, c.seqs, c.ends = c.buf[:0], c.seqs[:0], c.ends[:0]
	rows, err := s.pool.Query(context.Background(), sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		seq int64
		rec pgtype.DriverBytes // the driver's buffer: copied below
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &rec); err != nil {
			return err
		}
		c.seqs = append(c.seqs, uint32(seq))
		c.buf = append(c.buf, rec...)
		c.ends = append(c.ends, len(c.buf))
	}
	return rows.Err()
}

// decode decodes the chunk's i-th record into sub, reusing its Tags and
// Attributes; one string per record, so a kept ID pins only its record.
func (c *recordChunk) decode(i int, sub *herald.Subscriber) error {
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	return storage.DecodeSubscriberString(c.seqs[i], string(c.buf[start:c.ends[i]]), sub, true)
}

// stream reads a chunk (readChunk) and hands fn each record, decoded into
// sub (reused); what names the stream in errors.
func (s *Store) stream(what string, c *recordChunk, sub *herald.Subscriber, fn func(*herald.Subscriber) error, sql string, args ...any) error {
	if err := s.readChunk(c, sql, args...); err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	for i := range c.seqs {
		if err := c.decode(i, sub); err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
		if err := fn(sub); err != nil {
			return err
		}
	}
	return nil
}

// EachSubscriber streams every subscriber in Seq order, a chunk of them
// per query (so it is not one consistent snapshot when writes go on). sub,
// its Tags and its Attributes are reused between calls: copy what you
// keep (its strings are its own and may be kept).
func (s *Store) EachSubscriber(fn func(sub *herald.Subscriber) error) error {
	return s.EachSubscriberFrom(0, fn)
}

// EachSubscriberFrom is EachSubscriber starting after Seq after: a page of
// a listing resumes where the last one stopped (its cursor is a Seq).
func (s *Store) EachSubscriberFrom(after uint32, fn func(sub *herald.Subscriber) error) error {
	var (
		chunk recordChunk
		sub   herald.Subscriber
	)
	for {
		err := s.stream("stream subscribers", &chunk, &sub, fn,
			`SELECT seq, record FROM subscribers WHERE seq > $1 ORDER BY seq LIMIT $2`, int64(after), subscriberChunk)
		if err != nil {
			return err
		}
		if len(chunk.seqs) < subscriberChunk {
			return nil
		}
		after = chunk.seqs[len(chunk.seqs)-1]
	}
}

// Subscriber returns one subscriber or herald.ErrNotFound. A key whose
// chat moved to a new ID (MoveSubscriber) finds the subscriber under its
// new key.
func (s *Store) Subscriber(key herald.SubscriberKey) (herald.Subscriber, error) {
	sub, err := lookupSubscriber(context.Background(), s.pool, key)
	if err != nil {
		return herald.Subscriber{}, fmt.Errorf("storage: read subscriber: %w", err)
	}
	return *sub, nil
}

// lookupSQL finds the subscriber under a key, or under where the key's
// chat moved (MaxMoveHops at most): one row per hop, the first with a
// record is the answer.
var lookupSQL = fmt.Sprintf(`
WITH RECURSIVE hops(hop, id) AS (
    SELECT 0, $3::text COLLATE "C"
  UNION ALL
    SELECT h.hop + 1, m.to_id FROM hops h
    JOIN subscriber_moves m ON m.platform = $1 AND m.account = $2 AND m.from_id = h.id
    WHERE h.hop < %d
)
SELECT h.hop, s.seq, s.record FROM hops h
LEFT JOIN subscribers s ON s.platform = $1 AND s.account = $2 AND s.id = h.id
ORDER BY h.hop`, storage.MaxMoveHops)

// lookupSubscriber is Subscriber in q: the record under key, or under the
// key its chat moved to, or herald.ErrNotFound. The key is looked up
// alone first: moves are rare, and the recursive query costs more.
func lookupSubscriber(ctx context.Context, q querier, key herald.SubscriberKey) (*herald.Subscriber, error) {
	var (
		seq int64
		rec []byte
	)
	err := q.QueryRow(ctx, `SELECT seq, record FROM subscribers WHERE platform = $1 AND account = $2 AND id = $3`,
		string(key.Platform), key.Account, key.ID).Scan(&seq, &rec)
	if err == nil {
		sub := new(herald.Subscriber)
		return sub, storage.DecodeSubscriber(uint32(seq), rec, sub)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	rows, err := q.Query(ctx, lookupSQL, string(key.Platform), key.Account, key.ID)
	if err != nil {
		return nil, err
	}
	return scanLookup(rows, key)
}

// scanLookup reads lookupSQL's rows.
func scanLookup(rows pgx.Rows, key herald.SubscriberKey) (*herald.Subscriber, error) {
	defer rows.Close()
	var (
		hop    int
		seq    *int64
		rec    []byte
		last   int
		result *herald.Subscriber
	)
	_, err := pgx.ForEachRow(rows, []any{&hop, &seq, &rec}, func() error {
		last = hop
		if seq == nil || result != nil {
			return nil
		}
		result = new(herald.Subscriber)
		return storage.DecodeSubscriber(uint32(*seq), rec, result)
	})
	switch {
	case err != nil:
		return nil, err
	case result != nil:
		return result, nil
	}
	notFound := fmt.Errorf("subscriber %s: %w", key, herald.ErrNotFound)
	if last >= storage.MaxMoveHops {
		return nil, storage.TooManyMoves(key, notFound)
	}
	return nil, notFound
}

// subscriberBySeqTx reads one subscriber by Seq, or herald.ErrNotFound.
func (s *Store) subscriberBySeqTx(ctx context.Context, tx pgx.Tx, seq uint32) (herald.Subscriber, error) {
	var rec []byte
	err := tx.QueryRow(ctx, `SELECT record FROM subscribers WHERE seq = $1`, int64(seq)).Scan(&rec)
	if errors.Is(err, pgx.ErrNoRows) {
		return herald.Subscriber{}, fmt.Errorf("subscriber %d: %w", seq, herald.ErrNotFound)
	}
	if err != nil {
		return herald.Subscriber{}, err
	}
	var sub herald.Subscriber
	err = storage.DecodeSubscriber(seq, rec, &sub)
	return sub, err
}

// Recipients reads the subscribers of a run's deliveries as Subscriber
// reads each, in one snapshot: subs[i] and errs[i] answer ds[i], errs[i]
// nil when found. It finds each by the Seq the snapshot recorded (one
// query for all), checking the key; a Seq that now holds another key (a
// chat that moved) or no one is looked up by key, as Subscriber does.
func (s *Store) Recipients(ds []herald.Delivery) (subs []herald.Subscriber, errs []error) {
	subs, errs = make([]herald.Subscriber, len(ds)), make([]error, len(ds))
	seqs := make([]uint32, len(ds))
	for i, d := range ds {
		seqs[i] = d.Seq
	}
	err := s.read("read subscribers", func(ctx context.Context, tx pgx.Tx) error {
		bySeq, err := s.subscribersBySeqTx(ctx, tx, seqs)
		if err != nil {
			return err
		}
		var missing []int
		batch := &pgx.Batch{}
		for i, d := range ds {
			if sub := bySeq[d.Seq]; sub != nil && sub.Key() == d.Recipient {
				subs[i] = *sub
				continue
			}
			missing = append(missing, i)
			batch.Queue(lookupSQL, string(d.Recipient.Platform), d.Recipient.Account, d.Recipient.ID)
		}
		if len(missing) == 0 {
			return nil
		}
		br := tx.SendBatch(ctx, batch)
		defer br.Close()
		for _, i := range missing {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			sub, err := scanLookup(rows, ds[i].Recipient)
			if err != nil {
				if !errors.Is(err, herald.ErrNotFound) {
					return err
				}
				errs[i] = fmt.Errorf("storage: read subscribers: %w", err)
				continue
			}
			subs[i] = *sub
		}
		return br.Close()
	})
	if err != nil {
		for i := range errs {
			subs[i], errs[i] = herald.Subscriber{}, err
		}
	}
	return subs, errs
}

// FindSubscribers finds people for an admin's /find (see the shared
// storage.FindSubscribers rule). Names are matched in Go, as bbolt does,
// so that "contains, case-insensitive" is Go's rule and not the
// database's collation's: the scan reads the name column alone, and the
// records of those whose name matches.
func (s *Store) FindSubscribers(text string, limit int) ([]herald.Subscriber, error) {
	return storage.FindSubscribers(text, limit, s.Subscriber, s.scanNames)
}

// nameChunk is how many names one query of a name scan reads.
const nameChunk = 10000

// scanNames streams, in Seq order, the subscribers whose name named
// accepts.
func (s *Store) scanNames(named func(name string) bool, fn func(sub *herald.Subscriber) error) error {
	ctx := context.Background()
	var (
		after int64
		seqs  []int64
		chunk recordChunk
		sub   herald.Subscriber
	)
	for {
		rows, err := s.pool.Query(ctx, `SELECT seq, name FROM subscribers WHERE seq > $1 ORDER BY seq LIMIT $2`, after, nameChunk)
		if err != nil {
			return fmt.Errorf("storage: find subscribers: %w", err)
		}
		var (
			seq  int64
			name string
			n    int
		)
		seqs = seqs[:0]
		_, err = pgx.ForEachRow(rows, []any{&seq, &name}, func() error {
			if named(name) {
				seqs = append(seqs, seq)
			}
			after, n = seq, n+1
			return nil
		})
		if err != nil {
			return fmt.Errorf("storage: find subscribers: %w", err)
		}
		if len(seqs) > 0 {
			err := s.stream("find subscribers", &chunk, &sub, fn, `SELECT seq, record FROM subscribers WHERE seq = ANY($1) ORDER BY seq`, seqs)
			if err != nil {
				return err
			}
		}
		if n < nameChunk {
			return nil
		}
	}
}
