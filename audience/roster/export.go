package roster

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// Lister streams stored subscribers in Seq order from after a Seq (0: the
// start); *storage.Store satisfies it. sub is reused between calls.
type Lister interface {
	EachSubscriberFrom(after uint32, fn func(sub *herald.Subscriber) error) error
}

// Filter picks the subscribers a listing or export shows; zero fields
// match everyone.
type Filter struct {
	Platform herald.Platform
	Tag      string
	State    herald.SubscriberState
	// Audience, if set, keeps only who a broadcast with it would reach at
	// Now: the audit of "who will get this".
	Audience *herald.Audience
	Now      time.Time
	// Responded answers the Audience's retarget terms (tapped:B-7K2Q);
	// Page and Export fill it from a Lister that is also a Responder.
	Responded herald.RespondedFunc
}

// Responder is what a Lister offers when it can answer retarget terms
// (*storage.Store does, from its audience index).
type Responder interface {
	Responded() herald.RespondedFunc
}

// answering returns f with Responded filled from src when f needs it.
func (f Filter) answering(src Lister) Filter {
	if r, ok := src.(Responder); ok && f.Responded == nil && f.Audience != nil && len(f.Audience.Responses) > 0 {
		f.Responded = r.Responded()
	}
	return f
}

// Match reports whether s passes the filter.
func (f *Filter) Match(s *herald.Subscriber) bool {
	state := s.State
	if state == "" {
		state = herald.Subscribed
	}
	switch {
	case f.Platform != "" && s.Platform != f.Platform,
		f.Tag != "" && !s.HasTag(herald.NormalizeTag(f.Tag)),
		f.State != "" && state != f.State,
		f.Audience != nil && !f.Audience.MatchesWith(s, f.Now, f.Responded):
		return false
	}
	return true
}

// errStop ends a scan early.
var errStop = errors.New("roster: stop")

// Page returns up to limit matching subscribers after the cursor (a Seq;
// 0 for the first page) and the cursor of the next page (0: none left).
func Page(src Lister, f Filter, after uint32, limit int) ([]herald.Subscriber, uint32, error) {
	f = f.answering(src)
	var out []herald.Subscriber
	var next uint32
	err := src.EachSubscriberFrom(after, func(s *herald.Subscriber) error {
		if !f.Match(s) {
			return nil
		}
		if len(out) == limit {
			next = out[len(out)-1].Seq
			return errStop
		}
		out = append(out, clone(s))
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, 0, fmt.Errorf("roster: list subscribers: %w", err)
	}
	return out, next, nil
}

func clone(s *herald.Subscriber) herald.Subscriber {
	c := *s
	c.Tags = slices.Clone(s.Tags)
	if s.Attributes != nil {
		c.Attributes = make(map[string]string, len(s.Attributes))
		for k, v := range s.Attributes {
			c.Attributes[k] = v
		}
	}
	return c
}

// exportHeader is the fixed part of an export's header; attr.<key>
// columns follow. Import reads the file back as it is.
var exportHeader = []string{"platform", "id", "name", "tags", "timezone", "locale", "state", "kind",
	"imported", "first_seen", "last_interaction"}

// Export writes the matching subscribers as CSV and returns how many. It
// reads the store twice: once to learn the attribute columns, once to
// write, so a million subscribers never sit in memory.
func Export(w io.Writer, src Lister, f Filter) (int, error) {
	f = f.answering(src)
	keys := map[string]bool{}
	err := src.EachSubscriberFrom(0, func(s *herald.Subscriber) error {
		if f.Match(s) {
			for k := range s.Attributes {
				keys[k] = true
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("roster: export: %w", err)
	}
	attrs := make([]string, 0, len(keys))
	for k := range keys {
		attrs = append(attrs, k)
	}
	slices.Sort(attrs)
	cw := csv.NewWriter(w)
	header := slices.Clone(exportHeader)
	for _, k := range attrs {
		header = append(header, "attr."+k)
	}
	_ = cw.Write(header)
	n := 0
	row := make([]string, len(header))
	err = src.EachSubscriberFrom(0, func(s *herald.Subscriber) error {
		if !f.Match(s) {
			return nil
		}
		state := s.State
		if state == "" {
			state = herald.Subscribed
		}
		// A named account's platform is "line@shop", as imports read it.
		platform := string(s.Platform)
		if s.Account != "" {
			platform += "@" + s.Account
		}
		row = append(row[:0], platform, s.ID, s.Name, strings.Join(s.Tags, ","), s.Timezone, s.Locale,
			string(state), string(s.Kind), strconv.FormatBool(s.Imported), stamp(s.FirstSeen), stamp(s.LastInteraction))
		for _, k := range attrs {
			row = append(row, s.Attributes[k])
		}
		n++
		return cw.Write(row)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		return n, fmt.Errorf("roster: export: %w", err)
	}
	return n, nil
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
