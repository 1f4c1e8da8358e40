package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/heraldbot/herald"
)

// bucketNames indexes the names of unfinished broadcasts (folded name → ID)
// so the uniqueness check on every create and rename is one lookup, not a
// scan of every broadcast ever made.
var bucketNames = []byte("broadcast_names")

// nameKey folds a name the way admins expect uniqueness to work: case and
// surrounding spaces don't make a different name.
func nameKey(name string) []byte {
	return []byte(strings.ToLower(strings.TrimSpace(name)))
}

// claimsName reports whether b holds its name in the index.
func claimsName(b *herald.Broadcast) bool {
	return b != nil && b.Status.Unfinished() && strings.TrimSpace(b.Name) != ""
}

// syncName moves broadcast id's entry in the name index from old to nb
// (nil old: created; nil nb: deleted), refusing a name another unfinished
// broadcast holds with herald.ErrConflict.
func syncName(tx *bolt.Tx, id string, old, nb *herald.Broadcast) error {
	names := tx.Bucket(bucketNames)
	if claimsName(old) {
		k := nameKey(old.Name)
		if bytes.Equal(names.Get(k), []byte(id)) {
			if err := names.Delete(k); err != nil {
				return err
			}
		}
	}
	if !claimsName(nb) {
		return nil
	}
	k := nameKey(nb.Name)
	if holder := names.Get(k); holder != nil && string(holder) != id {
		return NameTaken(nb.Name, string(holder))
	}
	return names.Put(k, []byte(id))
}

// indexBroadcastNames is migration 2: build the name index from the
// broadcasts already stored (on a clash, the first keeps the name).
func indexBroadcastNames(tx *bolt.Tx) error {
	names, err := tx.CreateBucketIfNotExists(bucketNames)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketBroadcasts).ForEach(func(k, v []byte) error {
		var b herald.Broadcast
		if err := json.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("broadcast %s: %w", k, err)
		}
		if claimsName(&b) && names.Get(nameKey(b.Name)) == nil {
			return names.Put(nameKey(b.Name), k)
		}
		return nil
	})
}
