package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/heraldbot/herald/handlers/clicks"
)

// addClickRoutes serves tracked links at PublicBaseURL/r/{token} and
// returns the dispatcher's TrackLink, which makes them; without
// public_base_url links go out direct and it returns nil. The click
// writer is closed in a.drain, after HTTP stopped and before the database.
func (a *app) addClickRoutes(mux *http.ServeMux) (func(broadcastID string, seq uint32, button int) string, error) {
	if a.cfg.PublicBaseURL == "" {
		return nil, nil
	}
	secret, err := a.store.ClickSecret()
	if err != nil {
		return nil, fmt.Errorf("click tracking: %w", err)
	}
	t := clicks.New(a.store, secret, a.cfg.PublicBaseURL, clicks.Options{Logger: a.logger})
	mux.Handle(clicks.Path, t)
	a.drain = append(a.drain, func(context.Context) error {
		t.Close()
		return nil
	})
	return t.Link, nil
}
