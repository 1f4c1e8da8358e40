package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/heraldbot/herald"
	"github.com/jackc/pgx/v5/pgconn"
	berrors "go.etcd.io/bbolt/errors"
)

// Two answers for two questions (see README "Health checks"):
//   - GET /healthz, liveness: the process serves HTTP and the database
//     answers a read. A failure means restarting may help.
//   - GET /readyz, readiness: the database can also be written (a tiny
//     write committed). A failure (full disk, read-only file system) means
//     send no traffic here: webhooks would be refused with 500.

// readyCache is how long one write probe answers /readyz, so a load
// balancer polling hard does not turn into a commit storm.
const readyCache = time.Second

// readiness remembers the last write probe.
type readiness struct {
	mu     sync.Mutex
	at     time.Time
	reason string // empty: writable
}

// addHealthRoutes serves /healthz and /readyz.
func (a *app) addHealthRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		status, code := "ok", http.StatusOK
		if err := a.pingStore(); err != nil {
			a.logger.Warn("healthz: database unreachable", "error", err)
			status, code = "unavailable", http.StatusServiceUnavailable
		}
		body := map[string]any{"status": status, "storage": status}
		if c := a.cluster; c != nil {
			// Which of the deployment's work this instance does now: the
			// cluster test and operators find the sending instance here.
			body["instance"], body["leases"] = c.name, c.leases()
		}
		writeHealth(w, code, body)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if why := a.probeWrite(); why != "" {
			writeHealth(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "storage": "cannot be written", "reason": why})
			return
		}
		writeHealth(w, http.StatusOK, map[string]any{"status": "ready", "storage": "writable"})
	})
}

func writeHealth(w http.ResponseWriter, code int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// pingStore proves the database answers with a read transaction: a
// session that never exists is looked up, so "not found" means reachable.
// Real keys are "frontend:chat:user"; this one has no colon, and no NUL
// byte either (PostgreSQL's text cannot hold one).
func (a *app) pingStore() error {
	_, err := a.store.Session("healthz probe")
	if err == nil || errors.Is(err, herald.ErrNotFound) {
		return nil
	}
	return err
}

// probeWrite says why the database cannot be written now (empty: it can),
// probing at most once per readyCache. A failed probe is logged with its
// error; the answer only says what kind of failure it was.
func (a *app) probeWrite() string {
	a.ready.mu.Lock()
	defer a.ready.mu.Unlock()
	if !a.ready.at.IsZero() && time.Since(a.ready.at) < readyCache {
		return a.ready.reason
	}
	err := a.store.ProbeWrite()
	a.ready.at, a.ready.reason = time.Now(), writeFailure(err)
	if err != nil {
		a.logger.Warn("readyz: database cannot be written", "reason", a.ready.reason, "error", err)
	}
	return a.ready.reason
}

// writeFailure names the kind of a failed write for /readyz.
func writeFailure(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "the disk is full"
	case errors.Is(err, syscall.EROFS):
		return "the file system is read-only"
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return "the database is closed"
	case errors.Is(err, berrors.ErrDatabaseReadOnly):
		return "the database is open read-only"
	}
	// PostgreSQL's own answers (SQLSTATE): a URL that reaches a standby
	// after a failover, or the server's disk.
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "25006": // read_only_sql_transaction
			return "the database is read-only (a standby?)"
		case "53100": // disk_full
			return "the database server's disk is full"
		}
	}
	return "a write failed (see the log)"
}
