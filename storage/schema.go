package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Top-level buckets. Names are short: they are stored once, but read in
// every transaction.
var (
	bucketMeta        = []byte("meta")
	bucketSubscribers = []byte("subscribers")     // Seq (4 bytes BE) → binary subscriber
	bucketSubKeys     = []byte("subscriber_keys") // "platform:id" → Seq
	bucketBroadcasts  = []byte("broadcasts")      // ID → JSON
	bucketRuns        = []byte("runs")            // runKey → JSON
	bucketDeliveries  = []byte("deliveries")      // runKey → nested bucket (see run.go)
	bucketSessions    = []byte("sessions")        // key → opaque bytes
	bucketAdmins      = []byte("admins")          // key → JSON
	bucketMedia       = []byte("media")           // ID → content type + bytes
	bucketAudit       = []byte("audit")           // sequence (8 bytes BE) → JSON
	bucketAuditTarget = []byte("audit_by_target") // target 0x00 sequence → nothing
	bucketTaps        = []byte("taps")            // broadcast 0x00 button → counts
	bucketTapUsers    = []byte("tap_users")       // broadcast 0x00 button 0x00 subscriber → first tap's time

	keySchema = []byte("schema")
)

// migration is one numbered step of the schema; migration i (1-based) turns
// schema i-1 into schema i.
type migration struct {
	name string
	fn   func(tx *bolt.Tx) error
}

// schemaMigrations is the schema's history, oldest first. Append, never
// edit: files in the field are at any of these versions.
func schemaMigrations() []migration {
	return []migration{
		{name: "create buckets", fn: createBuckets},
		{name: "index broadcast names", fn: indexBroadcastNames},
		{name: "index pending deliveries by platform", fn: indexPendingByPlatform},
		{name: "create sequence buckets", fn: createSequenceBuckets},
		{name: "create sequence notes bucket", fn: createSeqNotesBucket},
	}
}

// heraldBuckets are the top-level buckets the first migration creates.
func heraldBuckets() [][]byte {
	return [][]byte{bucketSubscribers, bucketSubKeys, bucketBroadcasts, bucketRuns,
		bucketDeliveries, bucketSessions, bucketAdmins, bucketMedia, bucketAudit, bucketAuditTarget,
		bucketTaps, bucketTapUsers}
}

func createBuckets(tx *bolt.Tx) error {
	for _, name := range heraldBuckets() {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// schemaVersion reads the file's schema version: 0 for a new, empty file.
// A file with buckets but no version is someone else's bbolt database,
// unless Herald's own buckets are among them or bbolt has committed to it
// before (a new file is at transaction 1): then it is ours, damaged, and
// must not be taken for a new one and written to.
func schemaVersion(tx *bolt.Tx) (uint32, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		foreign, ours := false, false
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			foreign = true
			ours = ours || slices.ContainsFunc(heraldBuckets(), func(b []byte) bool { return bytes.Equal(b, name) })
			return nil
		})
		switch {
		case ours:
			return 0, damaged("", reasonNoSchema, nil)
		case foreign:
			return 0, fmt.Errorf("%w: a bbolt file, but not Herald's (no schema version)", ErrCorrupt)
		case tx.ID() > 1:
			return 0, damaged("", reasonEmptyAfter, nil)
		}
		return 0, nil
	}
	v := meta.Get(keySchema)
	if len(v) != 4 {
		return 0, damaged("", reasonRecord, errors.New("bad schema version record"))
	}
	return binary.BigEndian.Uint32(v), nil
}

// migrate runs migrations from+1 … len(ms) in order in tx, recording the
// version reached; any failure rolls every step back.
func migrate(tx *bolt.Tx, from uint32, ms []migration) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	for v := from + 1; v <= uint32(len(ms)); v++ {
		m := ms[v-1]
		if err := m.fn(tx); err != nil {
			return fmt.Errorf("migration %d (%s): %w", v, m.name, err)
		}
	}
	return meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, uint32(len(ms))))
}
