package storage

import "github.com/heraldbot/herald"

// FindSubscribers finds people for an admin's /find (see the shared
// FindSubscribers rule): names are matched by a scan.
func (s *Store) FindSubscribers(text string, limit int) ([]herald.Subscriber, error) {
	return FindSubscribers(text, limit, s.Subscriber, func(_ func(string) bool, fn func(*herald.Subscriber) error) error {
		return s.EachSubscriber(fn)
	})
}
