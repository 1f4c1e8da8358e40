package postgres

import "context"

// subscriberState is what the subscriber part keeps in memory: the
// audience index. (Skeleton: the subscriber part fills it in.)
type subscriberState struct{}

// start builds what the store keeps in memory once the schema is current.
func (s *Store) start(ctx context.Context) error { return nil }
