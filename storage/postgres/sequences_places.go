package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// seqTx is the enrollments table inside one write transaction: the
// PostgreSQL storage.SequenceEngine. Places read are kept, places written
// are kept and written together by flush (one statement for the saved,
// one for the deleted), so that moving a step run's 100,000 people on
// costs a few round trips, not 100,000. Every writer holds the sequence's
// row lock (see sequences.go), so what it read stays true until it
// commits.
type seqTx struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
	// places are the places known: nil, not in the sequence.
	places map[place]*storage.Enrollment
	// dirty are the places written since the last flush.
	dirty map[place]bool
	sub   herald.Subscriber
}

type place struct {
	sequence string
	seq      uint32
}

// flushAt bounds the places a transaction keeps unwritten.
const flushAt = 50_000

func (s *Store) openMoves(ctx context.Context, tx pgx.Tx, timing herald.StepTiming) (*seqTx, *storage.SequenceMoves) {
	st := &seqTx{s: s, ctx: ctx, tx: tx, places: map[place]*storage.Enrollment{}, dirty: map[place]bool{}}
	return st, storage.NewSequenceMoves(st, timing)
}

func (st *seqTx) Enrollment(id string, sub uint32) (storage.Enrollment, bool, error) {
	k := place{id, sub}
	if e, ok := st.places[k]; ok {
		if e == nil {
			return storage.Enrollment{}, false, nil
		}
		return *e, true, nil
	}
	var e storage.Enrollment
	var due *time.Time
	err := st.tx.QueryRow(st.ctx, `SELECT step, run, due FROM enrollments WHERE sequence = $1 AND seq = $2`, id, int64(sub)).
		Scan(&e.Step, &e.Run, &due)
	if errors.Is(err, pgx.ErrNoRows) {
		st.places[k] = nil
		return e, false, nil
	}
	if err != nil {
		return e, false, err
	}
	if due != nil {
		e.Due = due.UTC()
	}
	st.places[k] = &e
	return e, true, nil
}

func (st *seqTx) PutEnrollment(id string, sub uint32, _ *storage.Enrollment, e storage.Enrollment) error {
	return st.set(place{id, sub}, &e)
}

func (st *seqTx) DeleteEnrollment(id string, sub uint32, _ storage.Enrollment) error {
	return st.set(place{id, sub}, nil)
}

func (st *seqTx) set(k place, e *storage.Enrollment) error {
	st.places[k] = e
	st.dirty[k] = true
	if len(st.dirty) >= flushAt {
		return st.flush()
	}
	return nil
}

func (st *seqTx) Subscriber(seq uint32) (*herald.Subscriber, bool, error) {
	sub, err := st.s.subscriberBySeqTx(st.ctx, st.tx, seq)
	if errors.Is(err, herald.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	st.sub = sub
	return &st.sub, true, nil
}

func (st *seqTx) ABFamily(id string) ([]string, error) {
	read := func(id string) (*herald.Broadcast, error) {
		b, err := st.s.broadcastTx(st.ctx, st.tx, id, false)
		if errors.Is(err, herald.ErrNotFound) {
			return nil, nil
		}
		return &b, err
	}
	b, err := read(id)
	if err != nil || b == nil {
		return nil, err
	}
	return storage.ABFamilyOf(b, read)
}

// flush writes the places changed since the last flush.
func (st *seqTx) flush() error {
	if len(st.dirty) == 0 {
		return nil
	}
	var put struct {
		sequence  []string
		seq       []int64
		step, run []int32
		due       []*time.Time
	}
	var delSeqs []string
	var delSubs []int64
	for k := range st.dirty {
		e := st.places[k]
		if e == nil {
			delSeqs, delSubs = append(delSeqs, k.sequence), append(delSubs, int64(k.seq))
			continue
		}
		put.sequence, put.seq = append(put.sequence, k.sequence), append(put.seq, int64(k.seq))
		put.step, put.run = append(put.step, int32(e.Step)), append(put.run, int32(e.Run))
		var due *time.Time
		if e.Waiting() {
			due = &e.Due
		}
		put.due = append(put.due, due)
	}
	clear(st.dirty)
	b := &pgx.Batch{}
	if len(delSeqs) > 0 {
		b.Queue(`DELETE FROM enrollments e USING unnest($1::text[], $2::bigint[]) AS d(sequence, seq)
			WHERE e.sequence = d.sequence AND e.seq = d.seq`, delSeqs, delSubs)
	}
	if len(put.seq) > 0 {
		b.Queue(`INSERT INTO enrollments (sequence, seq, step, run, due)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[])
			ON CONFLICT (sequence, seq) DO UPDATE SET step = EXCLUDED.step, run = EXCLUDED.run, due = EXCLUDED.due`,
			put.sequence, put.seq, put.step, put.run, put.due)
	}
	return st.tx.SendBatch(st.ctx, b).Close()
}

// due lists the people waiting for step of sequence id, earliest first:
// all of them (by nil), or up to limit of those due by *by. One seek of
// the due index.
func (st *seqTx) due(id string, step int, by *time.Time, limit int) ([]storage.DuePerson, error) {
	sql := `SELECT seq, due FROM enrollments WHERE sequence = $1 AND step = $2 AND run = 0 ORDER BY due, seq`
	if err := st.flush(); err != nil {
		return nil, err
	}
	args := []any{id, step}
	if by != nil {
		sql = `SELECT seq, due FROM enrollments WHERE sequence = $1 AND step = $2 AND run = 0 AND due <= $3
			ORDER BY due, seq LIMIT $4`
		args = append(args, *by, limit)
	}
	rows, err := st.tx.Query(st.ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []storage.DuePerson
	var seq int64
	var due time.Time
	_, err = pgx.ForEachRow(rows, []any{&seq, &due}, func() error {
		p := storage.DuePerson{Seq: uint32(seq), Due: due.UTC()}
		out = append(out, p)
		st.places[place{id, p.Seq}] = &storage.Enrollment{Step: step, Due: p.Due}
		return nil
	})
	return out, err
}

// inRun reads the places of the people in step run n of sequence id in
// one query (the advance of that run asks for each).
func (st *seqTx) inRun(id string, n int) error {
	if err := st.flush(); err != nil {
		return err
	}
	rows, err := st.tx.Query(st.ctx, `SELECT seq, step FROM enrollments WHERE sequence = $1 AND run = $2`, id, n)
	if err != nil {
		return err
	}
	var seq int64
	var step int
	_, err = pgx.ForEachRow(rows, []any{&seq, &step}, func() error {
		st.places[place{id, uint32(seq)}] = &storage.Enrollment{Step: step, Run: n}
		return nil
	})
	return err
}
