package storage

import (
	"errors"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// readABFamily lists the broadcasts of the A/B test id is part of (nil:
// none, or deleted since); see SequenceMoves.matches.
func readABFamily(tx *bolt.Tx, id string) ([]string, error) {
	bk := tx.Bucket(bucketBroadcasts)
	read := func(id string) (*herald.Broadcast, error) {
		var b herald.Broadcast
		if err := getJSON(bk, []byte(id), &b); errors.Is(err, herald.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		return &b, nil
	}
	b, err := read(id)
	if err != nil || b == nil {
		return nil, err
	}
	return ABFamilyOf(b, read)
}
