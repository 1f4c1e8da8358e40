package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Export streams every record of the file (see Exporter) from one read
// transaction: a consistent snapshot, which a file opened ReadOnly gives
// without stopping anyone else reading it.
func (s *Store) Export(ctx context.Context, fn func(r Record) error) error {
	return s.view("export", func(tx *bolt.Tx) error {
		ex := boltExport{tx: tx, ctx: ctx, fn: fn}
		for _, step := range []func() error{ex.counters, ex.subscribers, ex.moves, ex.broadcasts, ex.runs,
			ex.deliveries, ex.inFlight, ex.seen, ex.taps, ex.clicks, ex.secrets, ex.adminSide,
			ex.sequences, ex.enrollments, ex.sequenceRuns, ex.apiEvents, ex.notes} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

type boltExport struct {
	tx  *bolt.Tx
	ctx context.Context
	fn  func(r Record) error
	n   int
}

// emit sends one record, checking now and then that the copy goes on.
func (ex *boltExport) emit(k Kind, values ...any) error {
	if ex.n++; ex.n%4096 == 0 {
		if err := ex.ctx.Err(); err != nil {
			return err
		}
	}
	return ex.fn(Record{Kind: k.Name, Values: values})
}

// each calls fn with every key and value of the top-level bucket name
// (none when the file has no such bucket: made on first use).
func (ex *boltExport) each(name []byte, fn func(k, v []byte) error) error {
	b := ex.tx.Bucket(name)
	if b == nil {
		return nil
	}
	return b.ForEach(fn)
}

// counters streams the numbers handed out, when any was (an empty file
// streams nothing).
func (ex *boltExport) counters() error {
	if n := ex.tx.Bucket(bucketSubscribers).Sequence(); n > 0 {
		return ex.emit(KindCounters, CounterSubscriberSeq, int64(n))
	}
	return nil
}

func (ex *boltExport) subscribers() error {
	var sub herald.Subscriber
	return ex.each(bucketSubscribers, func(k, v []byte) error {
		if len(k) != 4 {
			return fmt.Errorf("subscriber key %x: not a Seq", k)
		}
		// Decoded and encoded again: the stream carries the current
		// format, whatever version the file wrote the record in.
		if err := DecodeSubscriber(be32(k), v, &sub); err != nil {
			return err
		}
		return ex.emit(KindSubscribers, int64(sub.Seq), AppendSubscriber(nil, &sub))
	})
}

func (ex *boltExport) moves() error {
	return ex.each(bucketMoves, func(k, v []byte) error {
		from, err := parseSubKey(k)
		if err != nil {
			return err
		}
		to, err := parseSubKey(v)
		if err != nil {
			return err
		}
		return ex.emit(KindSubscriberMove, string(from.Platform), from.Account, from.ID, to.ID)
	})
}

// parseSubKey reads subKey's form back.
func parseSubKey(k []byte) (herald.SubscriberKey, error) {
	head, id, ok := bytes.Cut(k, []byte{':'})
	if !ok {
		return herald.SubscriberKey{}, fmt.Errorf("subscriber key %q: no platform", k)
	}
	platform, account, _ := bytes.Cut(head, []byte{'@'})
	return herald.SubscriberKey{Platform: herald.Platform(platform), Account: string(account), ID: string(id)}, nil
}

func (ex *boltExport) broadcasts() error {
	return ex.each(bucketBroadcasts, func(k, v []byte) error {
		return ex.emit(KindBroadcasts, string(k), bytes.Clone(v))
	})
}

// runID is the ID of the run under runKey k.
func runIDOfKey(k []byte) (string, error) {
	if len(k) < 6 || k[len(k)-5] != '/' {
		return "", fmt.Errorf("run key %q: not a run", k)
	}
	return fmt.Sprintf("%s/%d", k[:len(k)-5], binary.BigEndian.Uint32(k[len(k)-4:])), nil
}

func (ex *boltExport) runs() error {
	return ex.each(bucketRuns, func(k, v []byte) error {
		id, err := runIDOfKey(k)
		if err != nil {
			return err
		}
		return ex.emit(KindRuns, id, bytes.Clone(v))
	})
}

// eachRun calls fn with every run's ID and its records' bucket.
func (ex *boltExport) eachRun(fn func(id string, rb *bolt.Bucket) error) error {
	return ex.tx.Bucket(bucketDeliveries).ForEachBucket(func(k []byte) error {
		id, err := runIDOfKey(k)
		if err != nil {
			return err
		}
		return fn(id, ex.tx.Bucket(bucketDeliveries).Bucket(k))
	})
}

func (ex *boltExport) deliveries() error {
	var d herald.Delivery
	return ex.eachRun(func(id string, rb *bolt.Bucket) error {
		all := rb.Bucket(bucketAll)
		if all == nil {
			return nil
		}
		return all.ForEach(func(k, v []byte) error {
			if err := decodeDelivery(be32(k), v, &d); err != nil {
				return err
			}
			return ex.emit(KindDeliveries, id, int64(d.Seq), string(d.Recipient.Platform), d.Recipient.Account,
				d.Recipient.ID, string(d.Outcome), d.Reason, d.MessageID, int64(d.Attempts),
				UnixNanos(d.At), UnixNanos(d.NotBefore), int64(d.PartsDone))
		})
	})
}

func (ex *boltExport) inFlight() error {
	return ex.eachRun(func(id string, rb *bolt.Bucket) error {
		b := rb.Bucket(bucketInFlight)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error { return ex.emit(KindInFlight, id, int64(be32(k))) })
	})
}

func (ex *boltExport) seen() error {
	top := ex.tx.Bucket(bucketSeen)
	if top == nil {
		return nil
	}
	return top.ForEachBucket(func(slot []byte) error {
		if len(slot) != 8 {
			return nil // not a slot
		}
		at := time.Unix(int64(binary.BigEndian.Uint64(slot)), 0).UTC()
		return top.Bucket(slot).ForEach(func(k, _ []byte) error {
			return ex.emit(KindSeenEvents, bytes.Clone(k), at)
		})
	})
}

func (ex *boltExport) taps() error {
	return ex.responses(bucketTaps, bucketTapUsers, KindTapCounts, KindTapUsers, func(who []byte) (any, bool) {
		return string(who), true // the subscriber's key, "line:U1"
	})
}

func (ex *boltExport) clicks() error {
	return ex.responses(bucketClicks, bucketClickUsers, KindClickCounts, KindClickUsers, func(who []byte) (any, bool) {
		return int64(be32(who)), len(who) == 4 // the subscriber's Seq
	})
}

// responses streams the per-button counts of taps or clicks, then who
// responded (broadcast 0x00 button 0x00 who) with their first time.
func (ex *boltExport) responses(counts, users []byte, countKind, userKind Kind, who func([]byte) (any, bool)) error {
	if err := ex.eachCount(counts, countKind); err != nil {
		return err
	}
	return ex.each(users, func(k, v []byte) error {
		parts := bytes.SplitN(k, []byte{0}, 3)
		if len(parts) != 3 {
			return fmt.Errorf("%s key %q: not broadcast, button, who", userKind.Name, k)
		}
		w, ok := who(parts[2])
		if !ok {
			return fmt.Errorf("%s key %q: unreadable", userKind.Name, k)
		}
		return ex.emit(userKind, string(parts[0]), string(parts[1]), w, stampValue(v))
	})
}

// eachCount streams a bucket of per-button counts (taps, clicks).
func (ex *boltExport) eachCount(name []byte, k Kind) error {
	return ex.each(name, func(key, v []byte) error {
		bid, button, ok := bytes.Cut(key, []byte{0})
		if !ok {
			return fmt.Errorf("%s key %q: not broadcast, button", k.Name, key)
		}
		total, unique := decodeTapCount(v)
		return ex.emit(k, string(bid), string(button), int64(total), int64(unique))
	})
}

// stampValue is a first response's time, nil when not known.
func stampValue(v []byte) any {
	if unix, ok := stampTime(v); ok {
		return time.Unix(unix, 0).UTC()
	}
	return nil
}

func (ex *boltExport) secrets() error {
	if v := ex.tx.Bucket(bucketMeta).Get(keyClickSecret); v != nil {
		return ex.emit(KindSecrets, string(keyClickSecret), bytes.Clone(v))
	}
	return nil
}

// adminSide streams sessions, admins, the audit log, chat records and
// media.
func (ex *boltExport) adminSide() error {
	// A session's key is bytes: any bbolt key, a NUL included.
	err := ex.each(bucketSessions, func(k, v []byte) error { return ex.emit(KindSessions, bytes.Clone(k), bytes.Clone(v)) })
	if err == nil {
		err = ex.each(bucketAdmins, func(k, v []byte) error { return ex.emit(KindAdmins, string(k), bytes.Clone(v)) })
	}
	if err == nil {
		err = ex.each(bucketAudit, func(k, v []byte) error {
			var e herald.AuditEntry
			if len(k) != 8 || json.Unmarshal(v, &e) != nil {
				return fmt.Errorf("audit entry %x: unreadable", k)
			}
			return ex.emit(KindAudit, int64(binary.BigEndian.Uint64(k)), e.Target, bytes.Clone(v))
		})
	}
	for _, rk := range RecordKinds() {
		if err != nil {
			return err
		}
		err = ex.each([]byte(rk.Name), func(k, v []byte) error {
			return ex.emit(KindChatRecords, rk.Name, string(k), bytes.Clone(v))
		})
	}
	if err != nil {
		return err
	}
	return ex.each(bucketMedia, func(k, v []byte) error {
		d := newDecoder(v)
		ct := d.str()
		if d.err != nil {
			return fmt.Errorf("media %s: %w", k, d.err)
		}
		return ex.emit(KindMedia, string(k), ct, bytes.Clone(v[d.off:]))
	})
}

func (ex *boltExport) sequences() error {
	return ex.each(bucketSequences, func(k, v []byte) error {
		var q herald.Sequence
		if err := json.Unmarshal(v, &q); err != nil {
			return fmt.Errorf("sequence %s: %w", k, err)
		}
		return ex.emit(KindSequences, string(k), q.CreatedAt.UTC(), bytes.Clone(v))
	})
}

func (ex *boltExport) enrollments() error {
	return ex.each(bucketEnrollments, func(k, v []byte) error {
		e, ok := decodeEnrollment(v)
		if !ok || len(k) < 5 || k[len(k)-5] != 0 {
			return fmt.Errorf("enrollment %q: unreadable", k)
		}
		var due any
		if e.Waiting() {
			due = e.Due
		}
		return ex.emit(KindEnrollments, string(k[:len(k)-5]), int64(be32(k[len(k)-4:])), int64(e.Step), int64(e.Run), due)
	})
}

func (ex *boltExport) sequenceRuns() error {
	return ex.each(bucketSeqRuns, func(k, v []byte) error {
		var r seqRun
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("sequence run %s: %w", k, err)
		}
		return ex.emit(KindSequenceRuns, string(k), r.Sequence, int64(r.Step))
	})
}

func (ex *boltExport) apiEvents() error {
	return ex.each(bucketAPIEvents, func(k, v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("API event %s: unreadable", k)
		}
		return ex.emit(KindAPIEvents, string(k), time.Unix(int64(binary.BigEndian.Uint64(v)), 0).UTC())
	})
}

func (ex *boltExport) notes() error {
	return ex.each(bucketSeqNotes, func(k, v []byte) error {
		kind, ok := noteKindOf(v)
		if len(k) != 8 || !ok {
			return fmt.Errorf("sequence note %x: unreadable", k)
		}
		return ex.emit(KindSequenceNotes, int64(binary.BigEndian.Uint64(k)), int64(be32(v)), string(kind), bytes.Clone(v[5:]))
	})
}

// noteKindOf reads the kind of a stored note.
func noteKindOf(v []byte) (herald.TriggerKind, bool) {
	if len(v) < 5 {
		return "", false
	}
	for k, b := range noteKinds {
		if b == v[4] {
			return k, true
		}
	}
	return "", false
}
