package roster

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// FollowerSource is a platform's list of the people following the account
// (handlers/line.Followers for LINE).
type FollowerSource interface {
	// FollowerIDs calls page with the follower IDs a page at a time.
	FollowerIDs(ctx context.Context, page func(ids []string) error) error
	// Profile is one follower's name and language.
	Profile(ctx context.Context, id string) (name, language string, err error)
}

// SyncStore is what a follower sync needs: a lookup to skip people Herald
// knows, and the grouped upsert.
type SyncStore interface {
	Store
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
}

// SyncReport is what a follower sync did.
type SyncReport struct {
	Followers int // IDs the platform listed
	Added     int // new subscribers
	Known     int // already stored, left as they were
	// NoProfile counts new subscribers stored without a name because their
	// profile could not be read.
	NoProfile int
}

// Sync adds the followers of account acc that Herald does not know yet
// (as acc's subscribers: someone following two channels is two), with their profiles, marked Imported. Known subscribers are
// left alone: their state (blocked, unsubscribed) is theirs. An account
// that may not list its followers gives an error wrapping
// herald.ErrForbidden.
func Sync(ctx context.Context, st SyncStore, acc herald.Account, src FollowerSource) (SyncReport, error) {
	var rep SyncReport
	err := src.FollowerIDs(ctx, func(ids []string) error {
		var batch []record
		for _, id := range ids {
			rep.Followers++
			key := herald.SubscriberKey{Platform: acc.Platform, Account: acc.Name, ID: id}
			if herald.ValidateSubscriberID(id) != nil {
				continue
			}
			_, err := st.Subscriber(key)
			switch {
			case err == nil:
				rep.Known++
				continue
			case !errors.Is(err, herald.ErrNotFound):
				return fmt.Errorf("roster: sync: %w", err)
			}
			rec := record{key: key}
			name, lang, err := src.Profile(ctx, id)
			switch {
			case errors.Is(err, herald.ErrNotFound):
				continue // blocked the account since the list was read
			case err != nil:
				rep.NoProfile++
			}
			rec.name = name
			if validLocale(lang) {
				rec.locale = lang
			}
			batch = append(batch, rec)
		}
		var imp Report
		if err := commit(ctx, st, batch, &imp); err != nil {
			return err
		}
		rep.Added += imp.Created
		rep.Known += imp.Updated + imp.Unchanged
		return nil
	})
	return rep, err
}
