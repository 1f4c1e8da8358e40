package storage

import (
	"errors"
	"strings"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// matches reports whether q's trigger starts for what happened. A tap on
// any broadcast of an A/B test — the test's own (A), a variant, the rest
// (“★B”) — counts for a trigger naming any of them: each is a broadcast
// of its own with its own taps, but to the admin they are one broadcast.
func (st *seqTx) matches(q *herald.Sequence, kind herald.TriggerKind, detail string) (bool, error) {
	if q.Trigger.Matches(kind, detail) || kind != herald.TriggerTap || q.Trigger.Kind != herald.TriggerTap {
		return q.Trigger.Matches(kind, detail), nil
	}
	tapped, button, _ := strings.Cut(detail, "\x00")
	family, err := st.abFamily(tapped)
	if err != nil {
		return false, err
	}
	for _, id := range family {
		if q.Trigger.Matches(kind, id+"\x00"+button) {
			return true, nil
		}
	}
	return false, nil
}

// abFamily lists the broadcasts of the A/B test id is part of (nil: none,
// or deleted since), read once per transaction.
func (st *seqTx) abFamily(id string) ([]string, error) {
	if ids, ok := st.families[id]; ok {
		return ids, nil
	}
	ids, err := readABFamily(st.tx, id)
	if err != nil {
		return nil, err
	}
	if st.families == nil {
		st.families = map[string][]string{}
	}
	st.families[id] = ids
	return ids, nil
}

func readABFamily(tx *bolt.Tx, id string) ([]string, error) {
	bk := tx.Bucket(bucketBroadcasts)
	var b herald.Broadcast
	if err := getJSON(bk, []byte(id), &b); errors.Is(err, herald.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	test := b.ABTestID()
	if test == "" {
		return nil, nil
	}
	if test != id {
		if err := getJSON(bk, []byte(test), &b); errors.Is(err, herald.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	return herald.ABFamily(&b), nil
}
