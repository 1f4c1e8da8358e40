package sequences

import (
	"context"
	"fmt"
	"slices"

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

// Leave takes the subscriber key out of every sequence they wait in: they
// unsubscribed or blocked the bot (the inbox tells).
func (s *Service) Leave(ctx context.Context, key herald.SubscriberKey) error {
	return s.leave(key, nil)
}

func (s *Service) leave(key herald.SubscriberKey, leaves func(q *herald.Sequence) bool) error {
	sub, err := s.opts.Store.Subscriber(key)
	if err != nil {
		return fmt.Errorf("sequences: leave %s: %w", key, err)
	}
	if _, err := s.opts.Store.LeaveSequences(sub.Seq, leaves); err != nil {
		return fmt.Errorf("sequences: leave: %w", err)
	}
	return nil
}

// TagsAdded triggers the tag sequences of each tag the subscriber key
// gained (tags after the change not among those before), and takes them
// out of the sequences one of those tags is an exit tag of.
func (s *Service) TagsAdded(ctx context.Context, before, after []string, key herald.SubscriberKey) error {
	var added []string
	for _, t := range after {
		if !slices.Contains(before, t) {
			added = append(added, t)
		}
	}
	if len(added) == 0 {
		return nil
	}
	err := s.leave(key, func(q *herald.Sequence) bool {
		return slices.ContainsFunc(q.ExitTags, func(t string) bool { return slices.Contains(added, t) })
	})
	if err != nil {
		return err
	}
	for _, t := range added {
		if _, err := s.Trigger(ctx, herald.TriggerTag, t, key); err != nil {
			return err
		}
	}
	return nil
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
		if s.active[i].Matches(kind, detail) {
			return true, nil
		}
	}
	return false, nil
}
