package storage

import (
	"context"
	"errors"
	"fmt"
)

// Moving a deployment between engines (bot migrate-storage) goes through
// one engine-neutral stream: every record of every kind, as plain values
// (int64, string, []byte, time.Time, nil for none), in the order Kinds
// lists the kinds. Each engine exports its records into the stream and
// imports a stream into an empty store of its own in bulk, so the two
// engines never meet and neither holds the whole database in memory.
// Records keep their internal numbers (Seqs, run numbers, audit and note
// sequence numbers): deliveries, clicks and enrollments name subscribers
// by Seq, and tracked links are signed with the click secret.
//
// What an engine derives from these records (bbolt's key, name, due and
// pending indexes and timelines; Postgres's run_counts, name keys and
// in-flight marks) is rebuilt by its importer, not carried.

// Kind is one kind of record in the stream: its name and its values'
// names, in order.
type Kind struct {
	Name    string
	Columns []string
}

// The kinds, in stream order: a run comes before its deliveries and
// their in-flight marks, so an importer can open a run's records once.
var (
	KindCounters       = Kind{"counters", []string{"name", "value"}} // numbers handed out: "subscriber_seq"
	KindSubscribers    = Kind{"subscribers", []string{"seq", "record"}}
	KindSubscriberMove = Kind{"subscriber_moves", []string{"platform", "account", "from_id", "to_id"}}
	KindBroadcasts     = Kind{"broadcasts", []string{"id", "data"}}
	KindRuns           = Kind{"runs", []string{"id", "data"}} // data: herald.Run as JSON, with its tallies
	KindDeliveries     = Kind{"deliveries", []string{"run_id", "seq", "platform", "account", "recipient",
		"outcome", "reason", "message_id", "attempts", "at_ns", "not_before_ns", "parts_done"}}
	KindInFlight      = Kind{"in_flight", []string{"run_id", "seq"}}
	KindSeenEvents    = Kind{"seen_events", []string{"id", "seen_at"}}
	KindTapCounts     = Kind{"tap_counts", []string{"broadcast_id", "button_id", "total", "uniq"}}
	KindTapUsers      = Kind{"tap_users", []string{"broadcast_id", "button_id", "subscriber", "first_at"}}
	KindClickCounts   = Kind{"click_counts", []string{"broadcast_id", "button_id", "total", "uniq"}}
	KindClickUsers    = Kind{"click_users", []string{"broadcast_id", "button_id", "seq", "first_at"}}
	KindSecrets       = Kind{"engagement_meta", []string{"name", "value"}} // the click secret
	KindSessions      = Kind{"sessions", []string{"key", "data"}}
	KindAdmins        = Kind{"admins", []string{"key", "profile"}}
	KindAudit         = Kind{"audit", []string{"n", "target", "entry"}}
	KindChatRecords   = Kind{"chat_records", []string{"kind", "key", "data"}}
	KindMedia         = Kind{"media", []string{"id", "content_type", "data"}}
	KindSequences     = Kind{"sequences", []string{"id", "created_at", "body"}}
	KindEnrollments   = Kind{"enrollments", []string{"sequence", "seq", "step", "run", "due"}}
	KindSequenceRuns  = Kind{"sequence_runs", []string{"run_id", "sequence", "step"}}
	KindAPIEvents     = Kind{"api_events", []string{"id", "taken_at"}}
	KindSequenceNotes = Kind{"sequence_notes", []string{"n", "seq", "kind", "detail"}}
)

// Kinds lists every kind in stream order.
func Kinds() []Kind {
	return []Kind{KindCounters, KindSubscribers, KindSubscriberMove, KindBroadcasts, KindRuns,
		KindDeliveries, KindInFlight, KindSeenEvents, KindTapCounts, KindTapUsers, KindClickCounts,
		KindClickUsers, KindSecrets, KindSessions, KindAdmins, KindAudit, KindChatRecords, KindMedia,
		KindSequences, KindEnrollments, KindSequenceRuns, KindAPIEvents, KindSequenceNotes}
}

// CounterSubscriberSeq is the last subscriber number handed out: a Seq is
// never handed out twice, even after its subscriber was erased.
const CounterSubscriberSeq = "subscriber_seq"

// Record is one record of the stream: Values in Kind.Columns' order.
type Record struct {
	Kind   string
	Values []any
}

// Exporter streams every record of a store, kind by kind in Kinds'
// order, from one consistent snapshot.
type Exporter interface {
	Export(ctx context.Context, fn func(r Record) error) error
}

// Importer writes a stream into an empty store.
type Importer interface {
	Import(ctx context.Context, rs *RecordStream) error
}

// Counts is the number of records of each kind (by Kind.Name).
type Counts map[string]int64

// Total is the number of records of every kind.
func (c Counts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// CountRecords counts what e streams, kind by kind.
func CountRecords(ctx context.Context, e Exporter) (Counts, error) {
	c := Counts{}
	err := e.Export(ctx, func(r Record) error {
		c[r.Kind]++
		return nil
	})
	return c, err
}

// RecordStream is the stream as an importer reads it: one record at a
// time, with a look at the next one's kind (a bulk write ends where the
// kind changes).
type RecordStream struct {
	ch     <-chan Record
	next   *Record
	done   bool
	srcErr *error // the source's failure, set before ch closes
}

// Err is why the stream ended early: the source failed. An importer
// checks it at the end, so that a failed read is never committed as a
// whole copy.
func (rs *RecordStream) Err() error {
	if !rs.done || rs.srcErr == nil || *rs.srcErr == nil {
		return nil
	}
	return fmt.Errorf("the source failed: %w", *rs.srcErr)
}

// NewRecordStream is the stream of what ch carries until it is closed.
func NewRecordStream(ch <-chan Record) *RecordStream { return &RecordStream{ch: ch} }

// Next returns the next record; false at the end.
func (rs *RecordStream) Next() (Record, bool) {
	if rs.next != nil {
		r := *rs.next
		rs.next = nil
		return r, true
	}
	if rs.done {
		return Record{}, false
	}
	r, ok := <-rs.ch
	if !ok {
		rs.done = true
	}
	return r, ok
}

// PeekKind is the next record's kind, "" at the end.
func (rs *RecordStream) PeekKind() string {
	if rs.next == nil {
		r, ok := rs.Next()
		if !ok {
			return ""
		}
		rs.next = &r
	}
	return rs.next.Kind
}

// Copy streams every record of src into dst and returns how many of
// each kind src sent. The stream holds a few thousand records at a time,
// whatever the size of the database.
func Copy(ctx context.Context, src Exporter, dst Importer) (Counts, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan Record, 4096)
	sent := Counts{}
	var exportErr error // written before ch closes, read after
	go func() {
		defer close(ch)
		exportErr = src.Export(ctx, func(r Record) error {
			sent[r.Kind]++
			select {
			case ch <- r:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
	}()
	rs := &RecordStream{ch: ch, srcErr: &exportErr}
	ierr := dst.Import(ctx, rs)
	if _, more := rs.Next(); ierr == nil && more {
		ierr = errors.New("it stopped reading before the end of the source")
	}
	if ierr != nil {
		cancel(ierr)
	}
	for range ch { // let the exporter finish
	}
	// The source's failure is the cause unless it only stopped because
	// the import had failed.
	switch eerr := exportErr; {
	case eerr != nil && (ierr == nil || !errors.Is(eerr, ierr)):
		return sent, fmt.Errorf("storage: read the source: %w", eerr)
	case ierr != nil:
		return sent, fmt.Errorf("storage: write the target: %w", ierr)
	}
	return sent, nil
}
