// Package roster moves subscribers in and out of Herald in bulk: a team's
// existing list (CSV or NDJSON) imported, a platform's followers synced,
// an audience exported or listed page by page. It is the one engine behind
// every door (the CLI, the REST API and the chat), which only translate
// its reports into words or status codes.
package roster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// Store is what an import needs: the storage's grouped upsert, one
// transaction per batch (a commit per row would take hours for a million).
type Store interface {
	UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error
}

// Options tune an import.
type Options struct {
	// Platform is the platform of rows that name none (no platform column,
	// a bare ID); "" skips them as ReasonNoPlatform.
	Platform herald.Platform
	// Batch is how many rows one transaction writes (default 2000).
	Batch int
	// Progress, if set, hears the running totals (committed) every
	// ProgressEvery rows (default 100,000); not at all for smaller files.
	Progress      func(Report)
	ProgressEvery int
}

// Import reads subscribers from r and stores them: new ones are created
// (marked Imported, their last interaction unknown), known ones get the
// file's name, time zone, locale and attributes and its tags added to
// theirs. States are never changed: an import cannot resubscribe someone
// who blocked the bot or said stop. Importing the same file twice changes
// nothing the second time. The report counts every row; an error (a read
// failure, a storage failure, ctx done) comes with what was done so far.
func Import(ctx context.Context, st Store, r io.Reader, opt Options) (Report, error) {
	if opt.Batch <= 0 {
		opt.Batch = 2000
	}
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = 100_000
	}
	var rep Report
	src, format, err := newSource(r, opt.Platform)
	if err != nil {
		return rep, err
	}
	rep.Format = format
	batch := make([]record, 0, opt.Batch)
	nextProgress := opt.ProgressEvery
	for {
		rec, reason, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, err
		}
		rep.Rows++
		if reason != "" {
			rep.reject(rec, reason)
		} else {
			batch = append(batch, rec)
		}
		due := opt.Progress != nil && rep.Rows >= nextProgress
		if len(batch) < opt.Batch && !due {
			continue
		}
		if err := commit(ctx, st, batch, &rep); err != nil {
			return rep, err
		}
		batch = batch[:0]
		if due {
			opt.Progress(rep)
			nextProgress += opt.ProgressEvery
		}
	}
	if err := commit(ctx, st, batch, &rep); err != nil {
		return rep, err
	}
	slices.SortFunc(rep.Skipped, func(a, b Rejected) int { return a.Line - b.Line })
	return rep, nil
}

// commit writes one batch in one transaction. Rows were checked before,
// so a refusal here is rare: the batch is then written row by row to
// find and skip the rows storage refuses.
func commit(ctx context.Context, st Store, batch []record, rep *Report) error {
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("roster: import stopped: %w", err)
	}
	outcomes := make([]outcome, len(batch))
	err := st.UpdateSubscribers(keysOf(batch), func(i int, sub *herald.Subscriber, created bool) error {
		outcomes[i] = merge(sub, &batch[i], created)
		return nil
	})
	var ve *herald.ValidationError
	switch {
	case errors.As(err, &ve) && len(batch) > 1:
		for i := range batch {
			if err := commit(ctx, st, batch[i:i+1], rep); err != nil {
				return err
			}
		}
		return nil
	case errors.As(err, &ve):
		rep.reject(batch[0], ReasonInvalid)
		return nil
	case err != nil:
		return fmt.Errorf("roster: store subscribers: %w", err)
	}
	for _, o := range outcomes {
		rep.count(o)
	}
	return nil
}

func keysOf(batch []record) []herald.SubscriberKey {
	keys := make([]herald.SubscriberKey, len(batch))
	for i := range batch {
		keys[i] = batch[i].key
	}
	return keys
}

// outcome is what one row did.
type outcome int

const (
	unchanged outcome = iota
	created
	updated
)

// merge applies a row to a subscriber: fields the row gives replace the
// stored ones, tags are added, attributes set; nothing is removed.
func merge(sub *herald.Subscriber, rec *record, isNew bool) outcome {
	changed := false
	set := func(dst *string, v string) {
		if v != "" && *dst != v {
			*dst, changed = v, true
		}
	}
	if isNew {
		sub.Kind = kindOf(rec.key)
		sub.Imported = true
	}
	set(&sub.Name, rec.name)
	set(&sub.Timezone, rec.tz)
	set(&sub.Locale, rec.locale)
	for _, t := range rec.tags {
		if !sub.HasTag(t) {
			sub.AddTags(rec.tags...)
			changed = true
			break
		}
	}
	for k, v := range rec.attrs {
		if cur, ok := sub.Attributes[k]; !ok || cur != v {
			if sub.Attributes == nil {
				sub.Attributes = map[string]string{}
			}
			sub.Attributes[k], changed = v, true
		}
	}
	switch {
	case isNew:
		return created
	case changed:
		return updated
	}
	return unchanged
}

// kindOf tells groups from people by their IDs' shape: Telegram group
// chats have negative IDs, LINE groups and rooms start with C and R.
func kindOf(k herald.SubscriberKey) herald.SubscriberKind {
	switch {
	case k.Platform == herald.Telegram && strings.HasPrefix(k.ID, "-"),
		k.Platform == herald.LINE && (strings.HasPrefix(k.ID, "C") || strings.HasPrefix(k.ID, "R")):
		return herald.KindGroup
	}
	return herald.KindUser
}
