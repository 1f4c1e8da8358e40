package postgres

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
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
	// dirty are the places written since the last flush; stored, those
	// known to have a row.
	dirty, stored map[place]bool
	sub           herald.Subscriber
	// upcoming are the Seqs the moves will ask Subscriber for, rising
	// (expect); ahead are those of them read already (nil: no one), a
	// chunk at a time.
	upcoming []uint32
	ahead    map[uint32]*herald.Subscriber
}

type place struct {
	sequence string
	seq      uint32
}

// flushAt bounds the places a transaction keeps unwritten.
const flushAt = 50_000

func (s *Store) openMoves(ctx context.Context, tx pgx.Tx, timing herald.StepTiming) (*seqTx, *storage.SequenceMoves) {
	st := &seqTx{s: s, ctx: ctx, tx: tx, places: map[place]*storage.Enrollment{},
		dirty: map[place]bool{}, stored: map[place]bool{}}
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
	st.places[k], st.stored[k] = &e, true
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
	if err := st.readAhead(seq); err != nil {
		return nil, false, err
	}
	if sub, ok := st.ahead[seq]; ok {
		if sub == nil {
			return nil, false, nil
		}
		st.sub = *sub
		return &st.sub, true, nil
	}
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

// expect says which people the moves will read next (a hand-out's due,
// a page of a run's records), so that Subscriber reads them a chunk per
// query instead of one per person.
func (st *seqTx) expect(seqs []uint32) {
	st.upcoming = slices.Clone(seqs)
	slices.Sort(st.upcoming)
	st.ahead = nil
}

// readAhead reads the chunk of upcoming that starts at seq, unless seq
// is read already or not expected.
func (st *seqTx) readAhead(seq uint32) error {
	if _, ok := st.ahead[seq]; ok {
		return nil
	}
	i, ok := slices.BinarySearch(st.upcoming, seq)
	if !ok {
		return nil
	}
	chunk := st.upcoming[i:min(i+subscriberChunk, len(st.upcoming))]
	subs, err := st.s.subscribersBySeqTx(st.ctx, st.tx, chunk)
	if err != nil {
		return err
	}
	st.ahead = make(map[uint32]*herald.Subscriber, len(chunk))
	for _, seq := range chunk {
		st.ahead[seq] = subs[seq] // nil: no one has it now
	}
	return nil
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

// flush writes the places changed since the last flush, in key order
// (neighbours in the table's indexes are written together): one
// statement deletes, one updates the places known stored, one inserts
// the rest.
func (st *seqTx) flush() error {
	if len(st.dirty) == 0 {
		return nil
	}
	keys := make([]place, 0, len(st.dirty))
	for k := range st.dirty {
		keys = append(keys, k)
	}
	clear(st.dirty)
	slices.SortFunc(keys, func(a, b place) int {
		return cmp.Or(strings.Compare(a.sequence, b.sequence), cmp.Compare(a.seq, b.seq))
	})
	var del, upd, ins placeRows
	for _, k := range keys {
		e := st.places[k]
		switch {
		case e == nil:
			del.add(k, nil)
		case st.stored[k]:
			upd.add(k, e)
		default:
			ins.add(k, e)
		}
		st.stored[k] = e != nil
	}
	b := &pgx.Batch{}
	if len(del.seq) > 0 {
		b.Queue(`DELETE FROM enrollments e USING unnest($1::text[], $2::bigint[]) AS d(sequence, seq)
			WHERE e.sequence = d.sequence AND e.seq = d.seq`, del.sequence, del.seq)
	}
	if len(upd.seq) > 0 {
		b.Queue(`UPDATE enrollments e SET step = u.step, run = u.run, due = u.due
			FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[]) AS u(sequence, seq, step, run, due)
			WHERE e.sequence = u.sequence AND e.seq = u.seq`, upd.sequence, upd.seq, upd.step, upd.run, upd.due)
	}
	if len(ins.seq) > 0 {
		b.Queue(`INSERT INTO enrollments (sequence, seq, step, run, due)
			SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[])
			ON CONFLICT (sequence, seq) DO UPDATE SET step = EXCLUDED.step, run = EXCLUDED.run, due = EXCLUDED.due`,
			ins.sequence, ins.seq, ins.step, ins.run, ins.due)
	}
	return st.tx.SendBatch(st.ctx, b).Close()
}

// placeRows are places as the columns of one statement.
type placeRows struct {
	sequence  []string
	seq       []int64
	step, run []int32
	due       []*time.Time
}

func (r *placeRows) add(k place, e *storage.Enrollment) {
	r.sequence, r.seq = append(r.sequence, k.sequence), append(r.seq, int64(k.seq))
	if e == nil {
		return
	}
	r.step, r.run = append(r.step, int32(e.Step)), append(r.run, int32(e.Run))
	var due *time.Time
	if e.Waiting() {
		due = &e.Due
	}
	r.due = append(r.due, due)
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
		k := place{id, p.Seq}
		st.places[k], st.stored[k] = &storage.Enrollment{Step: step, Due: p.Due}, true
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
		k := place{id, uint32(seq)}
		st.places[k], st.stored[k] = &storage.Enrollment{Step: step, Run: n}, true
		return nil
	})
	return err
}
