package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// The audit log is append-only: entries are keyed by the bucket's sequence
// (8 bytes BE, so in the order they happened), and a second bucket keyed
// "target 0x00 sequence" lets /log for one broadcast read only its entries.

// Audit appends an entry to the audit log (At is set when zero).
func (s *Store) Audit(e herald.AuditEntry) error {
	StampAudit(&e, s.now)
	return s.update("audit "+e.Action, func(tx *bolt.Tx) error {
		log := tx.Bucket(bucketAudit)
		log.FillPercent = appendFill
		n, err := log.NextSequence()
		if err != nil {
			return err
		}
		if err := putJSON(log, u64(n), &e); err != nil {
			return err
		}
		if e.Target == "" {
			return nil
		}
		return tx.Bucket(bucketAuditTarget).Put(targetKey(e.Target, n), present)
	})
}

func targetKey(target string, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(target), 0), n)
}

// AuditLog returns the entries for a target (all when target is ""),
// newest first; limit 0 means all.
func (s *Store) AuditLog(target string, limit int) ([]herald.AuditEntry, error) {
	var out []herald.AuditEntry
	full := func() bool { return limit > 0 && len(out) >= limit }
	add := func(v []byte) error {
		var e herald.AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	}
	err := s.view("read audit log", func(tx *bolt.Tx) error {
		log := tx.Bucket(bucketAudit)
		if target == "" {
			c := log.Cursor()
			for k, v := c.Last(); k != nil && !full(); k, v = c.Prev() {
				if err := add(v); err != nil {
					return fmt.Errorf("audit %x: %w", k, err)
				}
			}
			return nil
		}
		prefix := append([]byte(target), 0)
		c := tx.Bucket(bucketAuditTarget).Cursor()
		k, _ := c.Seek(targetKey(target, ^uint64(0)))
		if k == nil {
			k, _ = c.Last()
		} else if !hasPrefix(k, prefix) {
			k, _ = c.Prev()
		}
		for ; k != nil && hasPrefix(k, prefix) && !full(); k, _ = c.Prev() {
			seq := k[len(prefix):]
			if err := add(log.Get(seq)); err != nil {
				return fmt.Errorf("audit %x: %w", seq, err)
			}
		}
		return nil
	})
	return out, err
}
