package postgres

// Skeleton of the subscribers part: the subscribers part replaces everything here
// with its own files and deletes this one. Nothing here may be merged.

import (
	"context"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
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

// subscriberSeqsTx reads, inside tx, the Seq of each of keys that names a
// stored subscriber (keys of none are left out). The engagement part
// needs it: taps name people by key, the audience index by Seq (bbolt
// reads its subscriber-key bucket). (Subscribers part; added by the
// engagement part.)
func (s *Store) subscriberSeqsTx(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey) (map[herald.SubscriberKey]uint32, error) {
	return map[herald.SubscriberKey]uint32{}, nil
}

func (s *Store) PutSubscribers(subs []herald.Subscriber) error {
	panic("postgres: PutSubscribers is not written yet")
}

func (s *Store) UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error) {
	panic("postgres: UpdateSubscriber is not written yet")
}

func (s *Store) UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error {
	panic("postgres: UpdateSubscribers is not written yet")
}

func (s *Store) Subscriber(key herald.SubscriberKey) (herald.Subscriber, error) {
	panic("postgres: Subscriber is not written yet")
}

func (s *Store) DeleteSubscriber(key herald.SubscriberKey) error {
	panic("postgres: DeleteSubscriber is not written yet")
}

func (s *Store) FindSubscribers(text string, limit int) ([]herald.Subscriber, error) {
	panic("postgres: FindSubscribers is not written yet")
}

func (s *Store) Recipients(ds []herald.Delivery) (subs []herald.Subscriber, errs []error) {
	panic("postgres: Recipients is not written yet")
}

func (s *Store) EachSubscriber(fn func(sub *herald.Subscriber) error) error {
	panic("postgres: EachSubscriber is not written yet")
}

func (s *Store) EachSubscriberFrom(after uint32, fn func(sub *herald.Subscriber) error) error {
	panic("postgres: EachSubscriberFrom is not written yet")
}

func (s *Store) MoveSubscriber(from, to herald.SubscriberKey) (herald.Subscriber, error) {
	panic("postgres: MoveSubscriber is not written yet")
}

func (s *Store) Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error) {
	panic("postgres: Count is not written yet")
}

func (s *Store) Tags() []herald.TagCount {
	panic("postgres: Tags is not written yet")
}

func (s *Store) EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error {
	panic("postgres: EachRecipient is not written yet")
}

// subscriberState is what the subscriber part keeps in memory.
type subscriberState struct{}

// start builds what the store keeps in memory once the schema is current.
func (s *Store) start(ctx context.Context) error { return nil }

// index is the audience index, built by start (subscribers and, through
// eachResponseTx, every stored response). Callers change it only after
// their transaction commits.
func (s *Store) index() *audience.Index { return nil }
