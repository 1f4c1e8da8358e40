package postgres

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// subscriberSeqsTx reads, inside tx, the Seq of each of keys that names a
// stored subscriber (keys of none are left out). The engagement part
// needs it: taps name people by key, the audience index by Seq (bbolt
// reads its subscriber-key bucket). (A meeting point of the subscribers
// part, added and written by the engagement part: see parts.go.)
func (s *Store) subscriberSeqsTx(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey) (map[herald.SubscriberKey]uint32, error) {
	out := make(map[herald.SubscriberKey]uint32, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	platforms, accounts, ids := make([]string, len(keys)), make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		platforms[i], accounts[i], ids[i] = string(k.Platform), k.Account, k.ID
	}
	// The subscribers_key constraint's index finds each key.
	rows, err := tx.Query(ctx, `SELECT s.platform, s.account, s.id, s.seq
		FROM unnest($1::text[], $2::text[], $3::text[]) AS k(platform, account, id)
		JOIN subscribers s USING (platform, account, id)`, platforms, accounts, ids)
	if err != nil {
		return nil, err
	}
	var k herald.SubscriberKey
	var platform string
	var seq int64
	_, err = pgx.ForEachRow(rows, []any{&platform, &k.Account, &k.ID, &seq}, func() error {
		k.Platform = herald.Platform(platform)
		out[k] = uint32(seq)
		return nil
	})
	return out, err
}

// subscribersBySeqTx reads, inside tx, the subscribers of seqs in one
// query (a Seq of no one is left out). The sequences' hand-out and advance
// and ButtonReach read thousands of people at once: one round trip for
// them all, not one each. (A meeting point of the subscribers part: see
// parts.go.)
func (s *Store) subscribersBySeqTx(ctx context.Context, tx pgx.Tx, seqs []uint32) (map[uint32]*herald.Subscriber, error) {
	out := make(map[uint32]*herald.Subscriber, len(seqs))
	if len(seqs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(seqs))
	for i, seq := range seqs {
		ids[i] = int64(seq)
	}
	rows, err := tx.Query(ctx, `SELECT seq, record FROM subscribers WHERE seq = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	var seq int64
	var rec []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &rec}, func() error {
		sub := new(herald.Subscriber)
		out[uint32(seq)] = sub
		return storage.DecodeSubscriber(uint32(seq), rec, sub)
	})
	return out, err
}
