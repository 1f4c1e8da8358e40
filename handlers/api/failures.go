package api

import (
	"net/http"
)

// failuresCSV streams every failed delivery of every run of a broadcast:
// the same file an admin's /errors attaches (one writer, the service's).
func (s *Server) failuresCSV(w http.ResponseWriter, r *http.Request, _ string) {
	id, err := broadcastID(r)
	if err == nil {
		_, err = s.opts.Store.Broadcast(id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	started := false
	_, _, err = s.opts.Broadcasts.WriteFailures(w, id, func() {
		// The first page is read: a storage error before it is still a
		// JSON error rather than a cut CSV.
		started = true
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+id+`-failures.csv"`)
	})
	switch {
	case err != nil && !started:
		s.fail(w, r, err)
	case err != nil:
		s.log.Error("api: failures CSV cut short", "broadcast_id", id, "error", err)
	}
}
