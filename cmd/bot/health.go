package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/heraldbot/herald"
)

// addHealthRoutes serves GET /healthz for load balancers and systemd
// watchdogs: 200 when the database answers, 503 when it does not.
func (a *app) addHealthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		status, code := "ok", http.StatusOK
		if err := a.pingStore(); err != nil {
			a.logger.Warn("healthz: database unreachable", "err", err)
			status, code = "unavailable", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status, "storage": status})
	})
}

// pingStore proves the database answers with a read transaction: a
// session that never exists is looked up, so "not found" means reachable.
func (a *app) pingStore() error {
	_, err := a.store.Session("healthz\x00probe")
	if err == nil || errors.Is(err, herald.ErrNotFound) {
		return nil
	}
	return err
}
