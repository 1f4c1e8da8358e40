package storage_test

import (
	"path/filepath"
	"testing"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/storagetest"
	bbolt "go.etcd.io/bbolt"
)

// Every bucket of a file with every kind of record is a kind of the
// migration stream or derived from one: a bucket added without its place
// in the migration fails here.
func TestTransferCoversEveryBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	s, err := storage.Open(path, storage.Options{Now: storagetest.FillNow})
	if err != nil {
		t.Fatal(err)
	}
	storagetest.FillEveryKind(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, k := range storage.Kinds() {
		kinds[k.Name] = true
	}
	// The buckets whose records are a kind under another name, or are
	// rebuilt from the kinds by the importer.
	covered := map[string]string{
		"meta":              "schema version (each engine's own), click secret (engagement_meta)",
		"subscriber_keys":   "derived from subscribers",
		"broadcast_names":   "derived from broadcasts",
		"audit_by_target":   "derived from audit",
		"taps":              "tap_counts",
		"clicks":            "click_counts",
		"sequence_due":      "derived from enrollments",
		"approval_cards":    "chat_records",
		"progress_messages": "chat_records",
		"report_followups":  "chat_records",
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			if !kinds[string(name)] && covered[string(name)] == "" {
				t.Errorf("bucket %s is not copied by migrate-storage: add it to storage.Kinds and both engines' export and import", name)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
