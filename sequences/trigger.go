package sequences

import (
	"context"
	"fmt"

	"github.com/heraldbot/herald"
)

// Trigger enrolls the subscriber key in every active sequence whose
// trigger matches kind and detail (see herald.Trigger.Matches). A person
// already in a sequence stays where they are; one who finished or left
// enters again. It returns the sequences entered.
func (s *Service) Trigger(ctx context.Context, kind herald.TriggerKind, detail string, key herald.SubscriberKey) ([]string, error) {
	matches, err := s.anyMatch(kind, detail)
	if err != nil || !matches {
		return nil, err
	}
	sub, err := s.opts.Store.Subscriber(key)
	if err != nil {
		return nil, fmt.Errorf("sequences: enroll %s: %w", key, err)
	}
	entered, err := s.opts.Store.EnrollMatching(kind, detail, sub.Seq, s.opts.Now(), s.opts.Timing)
	if err != nil {
		return nil, fmt.Errorf("sequences: enroll: %w", err)
	}
	if len(entered) > 0 {
		s.Kick()
	}
	return entered, nil
}

// Event is an API event: name triggers the sequences waiting for it, for
// the subscriber key. An ID seen before is a client's retry: it is
// answered as before and triggers nothing (first false).
func (s *Service) Event(ctx context.Context, id, name string, key herald.SubscriberKey) (entered []string, first bool, err error) {
	if _, err := s.opts.Store.Subscriber(key); err != nil {
		return nil, false, fmt.Errorf("sequences: event %s: %w", id, err)
	}
	if id != "" {
		if first, err = s.opts.Store.TakeEvent(id, s.opts.Now()); err != nil || !first {
			return nil, first, err
		}
	}
	entered, err = s.Trigger(ctx, herald.TriggerEvent, name, key)
	return entered, true, err
}

// anyMatch answers from the active sequences' triggers, read once per
// change: a follow or a tap that starts nothing costs no transaction.
func (s *Service) anyMatch(kind herald.TriggerKind, detail string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		all, err := s.opts.Store.Sequences()
		if err != nil {
			return false, fmt.Errorf("sequences: list: %w", err)
		}
		s.active = s.active[:0]
		for _, q := range all {
			if !q.Paused {
				s.active = append(s.active, q.Trigger)
			}
		}
		s.loaded = true
	}
	for i := range s.active {
		// a tap on another broadcast of an A/B test may count: storage knows
		if s.active[i].Matches(kind, detail) || kind == herald.TriggerTap && s.active[i].Kind == kind {
			return true, nil
		}
	}
	return false, nil
}
