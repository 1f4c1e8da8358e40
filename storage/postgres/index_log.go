package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// The change log (index_log, migration 0006) carries what one instance's
// write did to the audience index to the other instances: each subscriber
// change (Seq, versions, old and new record) and each first response. A
// row holds a body of many changes, so an import of 100,000 people is a
// few dozen rows, not 100,000; NOTIFY carries only the row's id (its
// payload is limited to 8,000 bytes).

// logBodyBytes is about the most bytes one log row's body holds.
const logBodyBytes = 1 << 20

// Kinds of entries in a log body.
const (
	logChange   = 'c'
	logResponse = 'r'
)

// logTx writes changes and first responses to the change log inside tx and
// notifies the other instances, which hear of it when tx commits. A store
// that is not shared has no other instances and writes nothing. The
// engagement part calls it for first taps and clicks (a function of the
// subscribers part, as in parts.go).
func (s *Store) logTx(ctx context.Context, tx pgx.Tx, changes []change, rs []response) error {
	b := &pgx.Batch{}
	s.queueLog(b, changes, rs)
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("log index changes: %w", err)
	}
	return nil
}

// queueLog is logTx as a statement queued on b, for a writer that sends
// a batch anyway (no round trip of its own).
func (s *Store) queueLog(b *pgx.Batch, changes []change, rs []response) {
	if !s.shared || len(changes)+len(rs) == 0 {
		return
	}
	// One statement: the rows, and a NOTIFY of each (delivered at commit,
	// in commit order; nothing if the transaction rolls back).
	b.Queue(`WITH l AS (INSERT INTO index_log (origin, body) SELECT $1, b FROM unnest($2::bytea[]) AS b RETURNING id)
		SELECT pg_notify($3, 'e/' || l.id || '/' || $1) FROM l`, s.follow.origin, encodeLog(changes, rs), s.follow.channel)
}

// encodeLog packs changes and responses into bodies of about
// logBodyBytes each.
func encodeLog(changes []change, rs []response) [][]byte {
	var (
		bodies [][]byte
		b      []byte
		rec    []byte
	)
	next := func() {
		if len(b) >= logBodyBytes {
			bodies, b = append(bodies, b), nil
		}
	}
	appendRecord := func(sub *herald.Subscriber) {
		if sub == nil {
			b = binary.AppendUvarint(b, 0)
			return
		}
		rec = storage.AppendSubscriber(rec[:0], sub)
		b = binary.AppendUvarint(b, uint64(len(rec))+1)
		b = append(b, rec...)
	}
	for _, c := range changes {
		b = append(b, logChange)
		b = binary.AppendUvarint(b, uint64(c.seq))
		b = binary.AppendUvarint(b, uint64(c.from))
		b = binary.AppendUvarint(b, uint64(c.to))
		appendRecord(c.old)
		appendRecord(c.new)
		next()
	}
	for _, r := range rs {
		b = append(b, logResponse)
		b = binary.AppendUvarint(b, uint64(r.seq))
		b = appendString(b, r.broadcast)
		b = appendString(b, r.button.button)
		next()
	}
	if len(b) > 0 {
		bodies = append(bodies, b)
	}
	return bodies
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errBadLog = errors.New("malformed index log body")

// logReader decodes one log body.
type logReader struct{ b []byte }

func (r *logReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *logReader) bytes(n uint64) ([]byte, error) {
	if n > uint64(len(r.b)) {
		return nil, errBadLog
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v, nil
}

func (r *logReader) record(seq uint32) (*herald.Subscriber, error) {
	n := r.uvarint()
	if n == 0 {
		return nil, nil // no record: a creation's old, a deletion's new
	}
	b, err := r.bytes(n - 1)
	if err != nil {
		return nil, err
	}
	sub := new(herald.Subscriber)
	if err := storage.DecodeSubscriber(seq, b, sub); err != nil {
		return nil, err
	}
	return sub, nil
}

func (r *logReader) string() (string, error) {
	b, err := r.bytes(r.uvarint())
	return string(b), err
}

// decodeLog unpacks a body written by encodeLog.
func decodeLog(body []byte) (changes []change, rs []response, err error) {
	r := logReader{body}
	for len(r.b) > 0 {
		kind := r.b[0]
		r.b = r.b[1:]
		seq := uint32(r.uvarint())
		switch kind {
		case logChange:
			c := change{seq: seq, from: uint32(r.uvarint()), to: uint32(r.uvarint())}
			if c.old, err = r.record(seq); err != nil {
				return nil, nil, err
			}
			if c.new, err = r.record(seq); err != nil {
				return nil, nil, err
			}
			changes = append(changes, c)
		case logResponse:
			var x response
			x.seq = seq
			if x.broadcast, err = r.string(); err != nil {
				return nil, nil, err
			}
			if x.button.button, err = r.string(); err != nil {
				return nil, nil, err
			}
			rs = append(rs, x)
		default:
			return nil, nil, errBadLog
		}
	}
	return changes, rs, nil
}
