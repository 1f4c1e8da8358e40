package storage

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// errEnough stops a scan that found what it needs.
var errEnough = errors.New("storage: enough found")

// FindSubscribers finds people for an admin's /find: an exact ID on any
// platform ("U1234", or "line:U1234") first, then those whose name
// contains text (case-insensitive), in Seq order, at most limit (0: no
// limit). Every state is found: an admin looking someone up wants to see
// that they blocked the bot too. Names are matched by a scan.
func (s *Store) FindSubscribers(text string, limit int) ([]herald.Subscriber, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var out []herald.Subscriber
	keys := []herald.SubscriberKey{}
	if k, err := herald.ParseSubscriberKey(text); err == nil {
		keys = append(keys, k)
	} else if herald.ValidateSubscriberID(text) == nil {
		for _, p := range herald.Platforms {
			keys = append(keys, herald.SubscriberKey{Platform: p, ID: text})
		}
	}
	for _, k := range keys {
		sub, err := s.Subscriber(k)
		switch {
		case errors.Is(err, herald.ErrNotFound):
		case err != nil:
			return nil, err
		case !slices.ContainsFunc(out, func(o herald.Subscriber) bool { return o.Seq == sub.Seq }):
			out = append(out, sub)
		}
	}
	if limit > 0 && len(out) >= limit {
		return out[:limit], nil
	}
	needle := strings.ToLower(text)
	err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if !strings.Contains(strings.ToLower(sub.Name), needle) || slices.ContainsFunc(out, func(o herald.Subscriber) bool { return o.Seq == sub.Seq }) {
			return nil
		}
		c := *sub // sub and its Tags and Attributes are reused by the scan
		c.Tags = slices.Clone(sub.Tags)
		c.Attributes = maps.Clone(sub.Attributes)
		out = append(out, c)
		if limit > 0 && len(out) >= limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return out, nil
}
