package storage

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// The rules of broadcasts, runs and deliveries that every backend keeps
// alike (bbolt here, PostgreSQL in storage/postgres): only how each engine
// finds and writes records differs.

// PrepareBroadcast gives a new broadcast its default status and refuses
// an unknown one.
func PrepareBroadcast(b *herald.Broadcast) error {
	if b.Status == "" {
		b.Status = herald.StatusDraft
	}
	if !b.Status.Valid() {
		return fmt.Errorf("unknown status %q", b.Status)
	}
	return nil
}

// BroadcastExists is the conflict of a new broadcast whose ID is taken.
func BroadcastExists(id string) error {
	return fmt.Errorf("broadcast %s exists: %w", id, herald.ErrConflict)
}

// idAttempts is how many random IDs of one length are tried before the
// length grows: collisions are rare until thousands of broadcasts exist.
const idAttempts = 4

// FreeBroadcastID draws IDs until taken says one is unused, growing the
// length when the short ones get crowded.
func FreeBroadcastID(taken func(id string) (bool, error)) (string, error) {
	for n := 4; ; n++ {
		for range idAttempts {
			id := herald.NewBroadcastID(n)
			used, err := taken(id)
			if err != nil || !used {
				return id, err
			}
		}
	}
}

// BroadcastNameKey is the folded name b holds among the unfinished
// broadcasts' names, or "" when it holds none (a finished or nameless
// broadcast).
func BroadcastNameKey(b *herald.Broadcast) string {
	if !claimsName(b) {
		return ""
	}
	return string(nameKey(b.Name))
}

// NameTaken is the conflict of a name another unfinished broadcast
// (holder) holds.
func NameTaken(name, holder string) error {
	return fmt.Errorf("name %q is used by %s: %w", name, holder, herald.ErrConflict)
}

// CheckBroadcastChange keeps what storage owns of b (ID, CreatedAt, Runs)
// as old has it and checks a status change with herald.Transition.
func CheckBroadcastChange(old, b *herald.Broadcast) error {
	b.ID, b.CreatedAt, b.Runs = old.ID, old.CreatedAt, old.Runs
	if b.Status != old.Status {
		return herald.Transition(old.Status, b.Status)
	}
	return nil
}

// BroadcastListed reports whether q lists b (before its page is cut).
func BroadcastListed(q herald.BroadcastQuery, b *herald.Broadcast) bool {
	return (len(q.Statuses) == 0 || slices.Contains(q.Statuses, b.Status)) && (q.Steps || b.Step == nil)
}

// SortBroadcasts orders broadcasts newest first (by CreatedAt, then ID).
func SortBroadcasts(bs []herald.Broadcast) {
	slices.SortFunc(bs, func(a, b herald.Broadcast) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
}

// PageBroadcasts cuts q's page (Offset, Limit) out of the sorted list.
func PageBroadcasts(all []herald.Broadcast, q herald.BroadcastQuery) []herald.Broadcast {
	if q.Offset > 0 {
		all = all[min(q.Offset, len(all)):]
	}
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return all
}

// BroadcastSearch is what an admin typed to find broadcasts: an ID as
// people type it ("7k2q") or a case-insensitive part of the name.
type BroadcastSearch struct{ id, needle string }

// NewBroadcastSearch reads text; ok is false when there is nothing to
// look for.
func NewBroadcastSearch(text string) (f BroadcastSearch, ok bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return f, false
	}
	return BroadcastSearch{id: herald.NormalizeBroadcastID(text), needle: strings.ToLower(text)}, true
}

// Match reports whether b is found (hidden step broadcasts never are).
func (f BroadcastSearch) Match(b *herald.Broadcast) bool {
	return b.Step == nil && (b.ID == f.id || strings.Contains(strings.ToLower(b.Name), f.needle))
}

// Order puts the exact ID first in the sorted matches and cuts them to
// limit (0: all).
func (f BroadcastSearch) Order(all []herald.Broadcast, limit int) []herald.Broadcast {
	if i := slices.IndexFunc(all, func(b herald.Broadcast) bool { return b.ID == f.id }); i > 0 {
		exact := all[i]
		copy(all[1:i+1], all[:i])
		all[0] = exact
	}
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all
}

// ParseRunID reads "<bid>/<n>", or herald.ErrNotFound.
func ParseRunID(id string) (bid string, n int, err error) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "", 0, fmt.Errorf("run %q: %w", id, herald.ErrNotFound)
	}
	n, err = strconv.Atoi(id[i+1:])
	if err != nil || n <= 0 {
		return "", 0, fmt.Errorf("run %q: %w", id, herald.ErrNotFound)
	}
	return id[:i], n, nil
}

// RunNotFound is the error of a run that does not exist.
func RunNotFound(id string) error { return fmt.Errorf("run %s: %w", id, herald.ErrNotFound) }

// NumberRun makes r broadcast b's next run: b counts it, r takes its
// number, its ID and, unless set, status snapshotting and start now.
func NumberRun(r *herald.Run, b *herald.Broadcast, now time.Time) {
	b.Runs++
	r.N = b.Runs
	r.ID = fmt.Sprintf("%s/%d", b.ID, r.N)
	if r.Status == "" {
		r.Status = herald.RunSnapshotting
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = now.UTC()
	}
}

// CloneRun is r with tallies of its own, for fn to change.
func CloneRun(r herald.Run) herald.Run {
	r.Tally, r.AccountTally = cloneTally(r.Tally), maps.Clone(r.AccountTally)
	return r
}

// KeepRunFields keeps what storage owns of r as old has it: ID,
// BroadcastID, N, and Total and Tally, which follow the records.
func KeepRunFields(old, r *herald.Run) {
	r.ID, r.BroadcastID, r.N, r.Total, r.Tally = old.ID, old.BroadcastID, old.N, old.Total, old.Tally
}

// UnixNanos is a delivery's time as the engines store it and the copy
// stream carries it: Unix nanoseconds, 0 for the zero time ("none").
func UnixNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromUnixNanos is UnixNanos undone (0: the zero time).
func FromUnixNanos(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// PrepareDelivery checks a snapshot record and makes it pending unless
// it says otherwise.
func PrepareDelivery(d *herald.Delivery) error {
	if d.Seq == 0 {
		return fmt.Errorf("delivery to %s: no Seq", d.Recipient)
	}
	if d.Outcome == "" {
		d.Outcome = herald.Pending
	}
	return nil
}

// CheckOutcome refuses an outcome record without an outcome.
func CheckOutcome(d *herald.Delivery) error {
	if d.Outcome == "" {
		return fmt.Errorf("delivery %d: no outcome", d.Seq)
	}
	return nil
}

// UnknownDelivery is the error of an outcome for a Seq not in the run.
func UnknownDelivery(seq uint32) error { return fmt.Errorf("delivery %d: %w", seq, herald.ErrNotFound) }

// CountDelivery counts n recipients of key k with outcome o in r's Tally
// (and AccountTally, for a named account).
func CountDelivery(r *herald.Run, k herald.SubscriberKey, o herald.Outcome, n int) {
	if r.Tally == nil {
		r.Tally = map[herald.Platform]herald.Tally{}
	}
	t := r.Tally[k.Platform]
	tallyAdd(&t, o, n)
	r.Tally[k.Platform] = t
	if k.Account != "" {
		if r.AccountTally == nil {
			r.AccountTally = map[string]herald.Tally{}
		}
		name := k.AccountOf().String()
		t := r.AccountTally[name]
		tallyAdd(&t, o, n)
		r.AccountTally[name] = t
	}
}

// CountUncertain counts one recipient on p whose send a crash left
// unknown (see SettleInFlight).
func CountUncertain(r *herald.Run, p herald.Platform) {
	if r.Tally == nil {
		r.Tally = map[herald.Platform]herald.Tally{}
	}
	t := r.Tally[p]
	t.Uncertain++
	r.Tally[p] = t
}
