package main

import (
	"context"
	"sync"

	"github.com/heraldbot/herald"
)

// eventSink is the one place what happened is told: the broadcasts
// service, the dispatcher and the scheduler publish to it when they are
// built; the scheduler, the admin chats' reporter and metrics subscribe
// once they exist. Publishers never know who listens.
type eventSink struct {
	mu   sync.RWMutex
	subs []subscriber
}

// subscriber hears every event; it must return quickly.
type subscriber interface {
	Publish(ctx context.Context, e herald.Event)
}

func (s *eventSink) subscribe(subs ...subscriber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, subs...)
}

// Publish hands e to every subscriber, in the order they subscribed.
func (s *eventSink) Publish(ctx context.Context, e herald.Event) {
	s.mu.RLock()
	subs := s.subs
	s.mu.RUnlock()
	for _, sub := range subs {
		sub.Publish(ctx, e)
	}
}
