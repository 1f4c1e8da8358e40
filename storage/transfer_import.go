package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// importBatch is how many records one write transaction of an import
// takes: large enough that commits (each an fsync) are few, small enough
// that a transaction's dirty pages stay a few MB.
const importBatch = 50_000

// Import writes a stream into this file, which must be empty (the
// command checks; see CheckEmpty), in large transactions. What bbolt
// derives from the records — the key, name, due, pending and in-flight
// indexes, the runs' timelines — is built as they are written. The
// audience index of this Store is not: reopen the file to use it.
func (s *Store) Import(ctx context.Context, rs *RecordStream) error {
	im := &boltImport{}
	for more := true; more; {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.update("import", func(tx *bolt.Tx) error {
			im.begin(tx)
			for n := 0; n < importBatch; n++ {
				r, ok := rs.Next()
				if !ok {
					more = false
					if err := rs.Err(); err != nil {
						return err
					}
					return im.finish()
				}
				if err := im.put(r); err != nil {
					return fmt.Errorf("%s record: %w", r.Kind, err)
				}
			}
			return im.endRun()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// boltImport is an import's state across its transactions.
type boltImport struct {
	tx     *bolt.Tx
	run    *runTx // the run whose records are being written, if any
	runID  string
	auditN uint64 // highest audit and note numbers written
	noteN  uint64
}

func (im *boltImport) begin(tx *bolt.Tx) { im.tx, im.run, im.runID = tx, nil, "" }

// endRun writes the timeline of the run being written.
func (im *boltImport) endRun() error {
	if im.run == nil {
		return nil
	}
	err := im.run.timeline.write(im.run.rb)
	im.run, im.runID = nil, ""
	return err
}

// finish ends the last transaction: the sequences of numbered buckets
// continue after the records copied.
func (im *boltImport) finish() error {
	if err := im.endRun(); err != nil {
		return err
	}
	if err := im.tx.Bucket(bucketAudit).SetSequence(im.auditN); err != nil {
		return err
	}
	return im.tx.Bucket(bucketSeqNotes).SetSequence(im.noteN)
}

func (im *boltImport) put(r Record) error {
	v := Values(r)
	var err error
	switch r.Kind {
	case KindCounters.Name:
		if v.Str(0) != CounterSubscriberSeq {
			return fmt.Errorf("unknown counter %q", v.Str(0))
		}
		err = im.tx.Bucket(bucketSubscribers).SetSequence(uint64(v.I64(1)))
	case KindSubscribers.Name:
		err = im.subscriber(v)
	case KindSubscriberMove.Name:
		err = im.move(v)
	case KindBroadcasts.Name:
		err = im.broadcast(v)
	case KindRuns.Name:
		err = im.runRecord(v)
	case KindDeliveries.Name:
		err = im.delivery(v)
	case KindInFlight.Name:
		err = im.inFlight(v)
	case KindSeenEvents.Name:
		err = im.seen(v)
	case KindTapCounts.Name:
		err = im.count(bucketTaps, v)
	case KindTapUsers.Name:
		err = im.bucket(bucketTapUsers).Put([]byte(v.Str(0)+"\x00"+v.Str(1)+"\x00"+v.Str(2)), firstStamp(v.Time(3)))
	case KindClickCounts.Name:
		err = im.count(bucketClicks, v)
	case KindClickUsers.Name:
		k := append([]byte(v.Str(0)+"\x00"+v.Str(1)+"\x00"), u32(v.Seq(2))...)
		err = im.bucket(bucketClickUsers).Put(k, firstStamp(v.Time(3)))
	case KindSecrets.Name:
		if v.Str(0) != string(keyClickSecret) {
			return fmt.Errorf("unknown secret %q", v.Str(0))
		}
		err = im.bucket(bucketMeta).Put(keyClickSecret, v.Bytes(1))
	case KindSessions.Name:
		err = im.bucket(bucketSessions).Put(v.Bytes(0), v.Bytes(1))
	case KindAdmins.Name:
		err = im.bucket(bucketAdmins).Put([]byte(v.Str(0)), v.Bytes(1))
	case KindAudit.Name:
		err = im.audit(v)
	case KindChatRecords.Name:
		err = im.chatRecord(v)
	case KindMedia.Name:
		e := encoder{}
		e.str(v.Str(1))
		err = im.bucket(bucketMedia).Put([]byte(v.Str(0)), append(e.b, v.Bytes(2)...))
	case KindSequences.Name:
		err = im.bucket(bucketSequences).Put([]byte(v.Str(0)), v.Bytes(2))
	case KindEnrollments.Name:
		err = im.enrollment(v)
	case KindSequenceRuns.Name:
		err = putSeqRun(im.tx, v.Str(0), seqRun{Sequence: v.Str(1), Step: int(v.I64(2))})
	case KindAPIEvents.Name:
		err = im.bucket(bucketAPIEvents).Put([]byte(v.Str(0)), u64(uint64(v.Time(1).Unix())))
	case KindSequenceNotes.Name:
		err = im.note(v)
	default:
		return fmt.Errorf("this herald does not know records of kind %q (a newer herald wrote the source?)", r.Kind)
	}
	if v.Err() != nil {
		return v.Err()
	}
	return err
}

// bucket is the top-level bucket name, made when the file has none yet
// (the buckets made on first use).
func (im *boltImport) bucket(name []byte) *bucketOrErr {
	b, err := im.tx.CreateBucketIfNotExists(name)
	return &bucketOrErr{b, err}
}

type bucketOrErr struct {
	b   *bolt.Bucket
	err error
}

func (b *bucketOrErr) Put(k, v []byte) error {
	if b.err != nil {
		return b.err
	}
	return b.b.Put(k, v)
}

func (im *boltImport) subscriber(v *RecordValues) error {
	var sub herald.Subscriber
	rec := v.Bytes(1)
	if v.Err() != nil {
		return v.Err()
	}
	if err := DecodeSubscriber(v.Seq(0), rec, &sub); err != nil {
		return err
	}
	subs := im.tx.Bucket(bucketSubscribers)
	subs.FillPercent = appendFill // the stream is in Seq order
	if err := subs.Put(u32(sub.Seq), rec); err != nil {
		return err
	}
	return im.tx.Bucket(bucketSubKeys).Put(subKey(sub.Key()), u32(sub.Seq))
}

func (im *boltImport) move(v *RecordValues) error {
	p, a := herald.Platform(v.Str(0)), v.Str(1)
	from := herald.SubscriberKey{Platform: p, Account: a, ID: v.Str(2)}
	to := herald.SubscriberKey{Platform: p, Account: a, ID: v.Str(3)}
	return im.bucket(bucketMoves).Put(subKey(from), subKey(to))
}

func (im *boltImport) broadcast(v *RecordValues) error {
	data := v.Bytes(1)
	var b herald.Broadcast
	if err := json.Unmarshal(data, &b); err != nil {
		return fmt.Errorf("broadcast %s: %w", v.Str(0), err)
	}
	if err := im.tx.Bucket(bucketBroadcasts).Put([]byte(v.Str(0)), data); err != nil {
		return err
	}
	if !claimsName(&b) {
		return nil
	}
	return im.tx.Bucket(bucketNames).Put(nameKey(b.Name), []byte(v.Str(0)))
}

func (im *boltImport) runRecord(v *RecordValues) error {
	key, err := parseRunID(v.Str(0))
	if err != nil {
		return err
	}
	if err := im.tx.Bucket(bucketRuns).Put(key, v.Bytes(1)); err != nil {
		return err
	}
	_, err = createDeliveryBuckets(im.tx.Bucket(bucketDeliveries), key)
	return err
}

// openRun makes id the run whose records are written.
func (im *boltImport) openRun(id string) error {
	if im.run != nil && im.runID == id {
		return nil
	}
	if err := im.endRun(); err != nil {
		return err
	}
	rt, err := openRunTx(im.tx, id)
	if err != nil {
		return err
	}
	rt.timeline = timelineDelta{}
	im.run, im.runID = rt, id
	return nil
}

func (im *boltImport) delivery(v *RecordValues) error {
	d := herald.Delivery{Seq: v.Seq(1),
		Recipient: herald.SubscriberKey{Platform: herald.Platform(v.Str(2)), Account: v.Str(3), ID: v.Str(4)},
		Outcome:   herald.Outcome(v.Str(5)), Reason: v.Str(6), MessageID: v.Str(7), Attempts: int(v.I64(8)),
		At: FromUnixNanos(v.I64(9)), NotBefore: FromUnixNanos(v.I64(10)), PartsDone: int(v.I64(11))}
	if v.Err() != nil {
		return v.Err()
	}
	if err := im.openRun(v.Str(0)); err != nil {
		return err
	}
	rt := im.run
	k := rt.seqKey(d.Seq)
	if err := rt.all.Put(k, rt.encode(&d)); err != nil {
		return err
	}
	rt.timeline.add(&d, 1)
	return rt.move(k, d.Recipient.Platform, "", d.Outcome)
}

func (im *boltImport) inFlight(v *RecordValues) error {
	seq := v.Seq(1)
	if err := im.openRun(v.Str(0)); err != nil {
		return err
	}
	b, err := im.run.inFlight(true)
	if err != nil {
		return err
	}
	return b.Put(u32(seq), present)
}

func (im *boltImport) seen(v *RecordValues) error {
	at, slot := v.Time(1).Unix(), int64(seenSlot/time.Second)
	top, err := im.tx.CreateBucketIfNotExists(bucketSeen)
	if err != nil {
		return err
	}
	b, err := top.CreateBucketIfNotExists(u64(uint64(at - at%slot)))
	if err != nil {
		return err
	}
	return b.Put(v.Bytes(0), present)
}

func (im *boltImport) count(name []byte, v *RecordValues) error {
	k := []byte(v.Str(0) + "\x00" + v.Str(1))
	return im.bucket(name).Put(k, encodeTapCount(uint64(v.I64(2)), uint64(v.I64(3))))
}

func (im *boltImport) audit(v *RecordValues) error {
	n, target := uint64(v.I64(0)), v.Str(1)
	im.auditN = max(im.auditN, n)
	if err := im.tx.Bucket(bucketAudit).Put(u64(n), v.Bytes(2)); err != nil || target == "" {
		return err
	}
	return im.tx.Bucket(bucketAuditTarget).Put(targetKey(target, n), present)
}

func (im *boltImport) chatRecord(v *RecordValues) error {
	for _, rk := range RecordKinds() {
		if rk.Name == v.Str(0) {
			return im.bucket([]byte(rk.Name)).Put([]byte(v.Str(1)), v.Bytes(2))
		}
	}
	return fmt.Errorf("unknown chat record kind %q", v.Str(0))
}

func (im *boltImport) enrollment(v *RecordValues) error {
	id, sub := v.Str(0), v.Seq(1)
	e := Enrollment{Step: int(v.I64(2)), Run: int(v.I64(3)), Due: v.Time(4)}
	if v.Err() != nil {
		return v.Err()
	}
	if err := im.tx.Bucket(bucketEnrollments).Put(enrollKey(id, sub), encodeEnrollment(e)); err != nil || !e.Waiting() {
		return err
	}
	return im.tx.Bucket(bucketSeqDue).Put(dueKey(id, e.Step, e.Due, sub), nil)
}

func (im *boltImport) note(v *RecordValues) error {
	n := uint64(v.I64(0))
	b, ok := noteKinds[herald.TriggerKind(v.Str(2))]
	if !ok {
		return fmt.Errorf("sequence note %d: unknown kind %q", n, v.Str(2))
	}
	im.noteN = max(im.noteN, n)
	rec := append(u32(v.Seq(1)), b)
	return im.tx.Bucket(bucketSeqNotes).Put(u64(n), append(rec, v.Bytes(3)...))
}
