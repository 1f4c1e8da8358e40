package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// subscriberState is what the subscriber part keeps in memory: the
// audience index and what keeps it in commit order.
//
// bbolt serialises writers, and its store holds a mutex from commit to
// index update. Here writers run side by side, and a write inside another
// part's transaction (RecordInbound) commits where this part cannot hold
// a lock. So each row carries a version (bumped by every write), and the
// index applies a change only on top of the version it holds for that
// Seq: a change whose predecessor's transaction has committed but not yet
// applied waits (parked) for it. Two writes of one row are ordered by the
// key lock (lockKeys), so a later one always read the earlier one's row.
//
// Changes of other instances (index_follow.go) come through the same
// path, and may come twice (a catch-up reads again what was heard): a
// change the index is already past is dropped.
type subscriberState struct {
	idx       atomic.Pointer[audience.Index] // replaced only by a rebuild
	validator storage.SubscriberValidator

	mu     sync.Mutex
	ver    map[uint32]*versionPage // the version the index holds, by Seq
	parked map[uint32][]change     // changes that came before their predecessor
}

// versionPage holds the versions of 65,536 consecutive Seqs: 4 bytes a
// subscriber, and no memory for ranges of Seqs no one has.
type versionPage [1 << 16]uint32

// change is one committed subscriber write, for the audience index: the
// row's version went from `from` to `to` (truncated to 32 bits: only
// compared for equality).
type change struct {
	seq      uint32
	from, to uint32
	old, new *herald.Subscriber
}

func (st *subscriberState) version(seq uint32) uint32 {
	if p := st.ver[seq>>16]; p != nil {
		return p[seq&0xffff]
	}
	return 0
}

func (st *subscriberState) setVersion(seq, v uint32) {
	p := st.ver[seq>>16]
	if p == nil {
		p = new(versionPage)
		st.ver[seq>>16] = p
	}
	p[seq&0xffff] = v
}

// apply brings the index up to date with committed changes, each after
// the change it follows (see subscriberState).
func (s *Store) apply(changes []change) {
	st := &s.subscribers
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, c := range changes {
		cur := st.version(c.seq)
		if cur != 0 && int32(c.to-cur) <= 0 {
			continue // applied already (versions only grow; compared mod 2^32)
		}
		if cur != c.from {
			st.parked[c.seq] = append(st.parked[c.seq], c)
			continue
		}
		for {
			st.idx.Load().Put(c.old, c.new)
			st.setVersion(c.seq, c.to)
			next, ok := st.unpark(c.seq, c.to)
			if !ok {
				break
			}
			c = next
		}
	}
}

// unpark takes the parked change of seq that follows version v.
func (st *subscriberState) unpark(seq, v uint32) (change, bool) {
	waiting := st.parked[seq]
	for i, c := range waiting {
		if c.from == v {
			waiting = append(waiting[:i], waiting[i+1:]...)
			if len(waiting) == 0 {
				delete(st.parked, seq)
			} else {
				st.parked[seq] = waiting
			}
			return c, true
		}
	}
	return change{}, false
}

// index is the audience index, built by start (subscribers and, through
// eachResponseTx, every stored response). Callers change it only after
// their transaction commits.
func (s *Store) index() *audience.Index { return s.subscribers.idx.Load() }

// rebuildChunk is how many records the rebuild hands from the reading
// goroutine to the indexing one at a time.
const rebuildChunk = 4096

// rawRecords is a chunk of records copied out of the rows, in one string:
// decoded fields are substrings of it, one allocation per chunk.
type rawRecords struct {
	seqs, vers []uint32
	ends       []int
	all        string
}

// start builds the audience index from the database.
func (s *Store) start(ctx context.Context) error {
	st := &s.subscribers
	st.mu.Lock()
	defer st.mu.Unlock()
	return s.build(ctx)
}

// build (re)builds the audience index from the database: every
// subscriber, then every response, in one snapshot, which a shared store
// remembers (see followState). One goroutine reads rows while this one
// decodes and indexes the previous chunk. The caller holds st.mu, so no
// change is applied to the index being replaced meanwhile: one committed
// before the snapshot is in it, one after applies to the new index.
func (s *Store) build(ctx context.Context) error {
	began := time.Now()
	st := &s.subscribers
	st.ver, st.parked = map[uint32]*versionPage{}, map[uint32][]change{}
	b := audience.NewBuilder()
	n := 0
	var x *audience.Index
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		if s.shared {
			err := tx.QueryRow(ctx, `SELECT pg_current_snapshot()::text, now()`).Scan(&s.follow.snap, &s.follow.heard)
			if err != nil {
				return err
			}
		}
		full := make(chan *rawRecords, 2)
		errc := make(chan error, 1)
		go func() {
			defer close(full)
			errc <- readRecords(ctx, tx, full)
		}()
		var sub herald.Subscriber
		var derr error
		for chunk := range full {
			if derr != nil {
				continue // drain, so the reader ends
			}
			start := 0
			for i, seq := range chunk.seqs {
				if derr = storage.DecodeSubscriberString(seq, chunk.all[start:chunk.ends[i]], &sub, true); derr != nil {
					break
				}
				start = chunk.ends[i]
				b.Add(&sub)
				st.setVersion(seq, chunk.vers[i])
			}
			n += len(chunk.seqs)
		}
		if err := <-errc; err != nil {
			return err
		}
		if derr != nil {
			return derr
		}
		x = b.Index()
		return s.eachResponseTx(ctx, tx, x.AddResponse)
	})
	if err != nil {
		return fmt.Errorf("storage: build audience index: %w", err)
	}
	st.idx.Store(x)
	s.logger.Info("audience index built", "subscribers", n, "took_ms", time.Since(began).Milliseconds())
	return nil
}

// readRecords streams every subscriber's Seq, version and record in Seq
// order into chunks.
func readRecords(ctx context.Context, tx pgx.Tx, full chan<- *rawRecords) error {
	rows, err := tx.Query(ctx, `SELECT seq, version, record FROM subscribers ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		c   = new(rawRecords)
		buf strings.Builder
	)
	send := func() {
		c.all = buf.String()
		full <- c
		c, buf = new(rawRecords), strings.Builder{}
	}
	var (
		seq, version int64
		rec          pgtype.DriverBytes // the driver's buffer: copied below, no allocation a row
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &version, &rec); err != nil {
			return err
		}
		if buf.Cap() == 0 {
			buf.Grow(rebuildChunk * (len(rec) + 16))
		}
		c.seqs = append(c.seqs, uint32(seq))
		c.vers = append(c.vers, uint32(version))
		buf.Write(rec)
		c.ends = append(c.ends, buf.Len())
		if len(c.seqs) == rebuildChunk {
			send()
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(c.seqs) > 0 {
		send()
	}
	return nil
}

// Count sizes an audience with its breakdown, from the in-memory index.
func (s *Store) Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error) {
	return s.index().Count(a, cat, now), nil
}

// Tags lists tags on at least one reachable subscriber, most used first
// (ties by name).
func (s *Store) Tags() []herald.TagCount {
	return storage.TagList(s.index().TagCounts())
}

// EachRecipient streams the subscribers matching a in Seq order without
// holding them all in memory (see storage.EachRecipient): the index names
// the Seqs, and the records are read a chunk per query. sub is reused
// between calls.
func (s *Store) EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error {
	var (
		chunk recordChunk
		sub   herald.Subscriber
	)
	return storage.EachRecipient(s.index().Match(a, now).Iterator(), subscriberChunk, func(seqs []uint32, each func(*herald.Subscriber) error) error {
		return s.stream("stream recipients", &chunk, &sub, each, `SELECT seq, record FROM subscribers WHERE seq = ANY($1::bigint[]) ORDER BY seq`, seqs)
	}, fn)
}
