package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PutSubscribers inserts or replaces subscribers in one transaction (see
// storage.SubscriberWriter).
func (s *Store) PutSubscribers(subs []herald.Subscriber) error {
	return storage.SubscriberWriter(s.writeSubscribers).PutSubscribers(subs)
}

// UpdateSubscriber reads (or creates) the subscriber at key, applies fn
// and writes it back, in one transaction (see storage.SubscriberWriter).
func (s *Store) UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error) {
	return storage.SubscriberWriter(s.writeSubscribers).UpdateSubscriber(key, fn)
}

// UpdateSubscribers is UpdateSubscriber for many keys in one transaction
// (see storage.SubscriberWriter).
func (s *Store) UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error {
	return storage.SubscriberWriter(s.writeSubscribers).UpdateSubscribers(keys, fn)
}

// writeSubscribers is the subscriber part's own write transaction: write,
// commit, then bring the index up to date.
func (s *Store) writeSubscribers(what string, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error, done func(i int, sub *herald.Subscriber)) error {
	var w subscriberWrite
	err := s.write(what, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		w, err = s.saveSubscribersTx(ctx, tx, keys, fn)
		return err
	})
	if err != nil {
		return err
	}
	s.apply(w.changes)
	if done != nil {
		for i, sub := range w.results {
			done(i, sub)
		}
	}
	return nil
}

// updateSubscribersTx is UpdateSubscribers inside tx: it reads (locking)
// or creates each keys[i], lets fn change it, and saves it. apply, called
// after tx commits, brings the audience index up to date with the saved
// changes (never call it if tx rolls back).
func (s *Store) updateSubscribersTx(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error) (apply func(), err error) {
	w, err := s.saveSubscribersTx(ctx, tx, keys, fn)
	if err != nil {
		return nil, err
	}
	return func() { s.apply(w.changes) }, nil
}

// subscriberWrite is what one write did: the changes for the index, in
// order, and each key's record as written.
type subscriberWrite struct {
	changes []change
	results []*herald.Subscriber
}

// row is one key's record as the transaction sees it.
type row struct {
	key     herald.SubscriberKey
	sub     *herald.Subscriber // nil: no one under key
	version int64
	stored  bool // a row exists in the table (else it is inserted)
	dirty   bool // written by this transaction
}

// saveSubscribersTx is the one write path for subscribers: lock the keys,
// read them, change each in order (storage.ChangeSubscriber), write the
// rows, then tell the sequences part of each change.
func (s *Store) saveSubscribersTx(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error) (subscriberWrite, error) {
	if len(keys) == 0 {
		return subscriberWrite{}, nil
	}
	rows, at, err := readRows(ctx, tx, keys)
	if err != nil {
		return subscriberWrite{}, err
	}
	now := s.now().UTC()
	w := subscriberWrite{changes: make([]change, 0, len(keys)), results: make([]*herald.Subscriber, len(keys))}
	var seqs []int64 // handed out, not yet used
	for i, key := range keys {
		r := &rows[at[key]]
		sub, err := storage.ChangeSubscriber(key, r.sub, now, &s.subscribers.validator, func(sub *herald.Subscriber, created bool) error {
			return fn(i, sub, created)
		})
		if err != nil {
			return subscriberWrite{}, err
		}
		if sub.Seq == 0 {
			if seqs == nil {
				if seqs, err = newSeqs(ctx, tx, rows); err != nil {
					return subscriberWrite{}, fmt.Errorf("subscriber %s: %w", key, err)
				}
			}
			sub.Seq, seqs = uint32(seqs[0]), seqs[1:]
		}
		w.changes = append(w.changes, change{seq: sub.Seq, from: uint32(r.version), to: uint32(r.version + 1), old: r.sub, new: sub})
		r.sub, r.version, r.dirty = sub, r.version+1, true
		w.results[i] = sub
	}
	if err := writeRows(ctx, tx, rows, func(b *pgx.Batch) { s.queueLog(b, w.changes, nil) }); err != nil {
		return subscriberWrite{}, err
	}
	for _, c := range w.changes {
		if err := s.noteChanged(ctx, tx, c.old, c.new); err != nil {
			return subscriberWrite{}, err
		}
	}
	return w, nil
}

// readRows locks keys and reads their records, in one round trip: one
// row per distinct key, at[key] its index.
func readRows(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey) ([]row, map[herald.SubscriberKey]int, error) {
	at := make(map[herald.SubscriberKey]int, len(keys))
	rows := make([]row, 0, len(keys))
	var platforms, accounts, ids []string
	for _, k := range keys {
		if _, ok := at[k]; ok {
			continue
		}
		at[k] = len(rows)
		rows = append(rows, row{key: k})
		platforms, accounts, ids = append(platforms, string(k.Platform)), append(accounts, k.Account), append(ids, k.ID)
	}
	b := &pgx.Batch{}
	lockKeys(b, rows)
	b.Queue(`
SELECT k.n, s.seq, s.version, s.record
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(platform, account, id, n)
JOIN subscribers s ON s.platform = k.platform AND s.account = k.account AND s.id = k.id`, platforms, accounts, ids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	for range b.Len() - 1 {
		if _, err := br.Exec(); err != nil {
			return nil, nil, err
		}
	}
	res, err := br.Query()
	if err != nil {
		return nil, nil, err
	}
	var (
		n, seq, version int64
		rec             []byte
	)
	_, err = pgx.ForEachRow(res, []any{&n, &seq, &version, &rec}, func() error {
		r := &rows[n-1]
		r.sub, r.version, r.stored = new(herald.Subscriber), version, true
		return storage.DecodeSubscriber(uint32(seq), rec, r.sub)
	})
	if err != nil {
		return nil, nil, err
	}
	return rows, at, br.Close()
}

// maxKeyLocks is the most keys a write locks one by one; a bigger batch
// (an import) locks the table against other writers instead, which also
// keeps the lock table small.
const maxKeyLocks = 256

// lockKeys queues the lock every subscriber write takes on its keys
// before reading them, held to the end of the transaction. A row lock
// (FOR UPDATE) cannot lock a key no one has yet, and two webhooks creating
// one subscriber must not both create it: so each key has a
// transaction-scoped advisory lock, taken in sorted order (no deadlock
// between two batches). A small write first takes ROW EXCLUSIVE on the
// table, so a big write's SHARE ROW EXCLUSIVE waits for it instead of
// deadlocking with it.
func lockKeys(b *pgx.Batch, rows []row) {
	if len(rows) > maxKeyLocks {
		b.Queue(`LOCK TABLE subscribers IN SHARE ROW EXCLUSIVE MODE`)
		return
	}
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.key.String()
	}
	slices.Sort(names)
	b.Queue(`LOCK TABLE subscribers IN ROW EXCLUSIVE MODE`)
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '/subscriber/' || k, 0))
FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n`, names)
}

// newSeqs hands out a Seq for each key of rows no one has yet.
func newSeqs(ctx context.Context, tx pgx.Tx, rows []row) ([]int64, error) {
	n := 0
	for _, r := range rows {
		if r.sub == nil {
			n++
		}
	}
	res, err := tx.Query(ctx, `SELECT nextval('subscriber_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, err
	}
	seqs, err := pgx.CollectRows(res, pgx.RowTo[int64])
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "2200H" { // sequence_generator_limit_exceeded
		return nil, errors.New("out of subscriber numbers")
	}
	return seqs, err
}
