package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
)

// Roster is what the bulk subscriber endpoints need (*storage.Store):
// import, list and export.
type Roster interface {
	roster.Store
	roster.Lister
}

// importPath is the one route whose body is a file, not a JSON object:
// it gets Options.MaxImport instead of MaxBody.
const importPath = "POST /api/v1/subscribers/import"

// listPageMax bounds one page of GET /api/v1/subscribers.
const listPageMax = 1000

// bodyLimit is the body size a route accepts.
func (s *Server) bodyLimit(pattern string) int64 {
	if pattern == importPath {
		return s.opts.MaxImport
	}
	return s.opts.MaxBody
}

type importJSON struct {
	Format    string         `json:"format"`
	Rows      int            `json:"rows"`
	Created   int            `json:"created"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Skipped   []rejectedJSON `json:"skipped"`
}

type rejectedJSON struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Row    string `json:"row"`
}

// importSubscribers streams a CSV or NDJSON body into storage and answers
// the report (Accept: text/csv answers the skipped rows as a CSV instead).
func (s *Server) importSubscribers(w http.ResponseWriter, r *http.Request, actor string) {
	if s.opts.Roster == nil {
		writeError(w, http.StatusNotImplemented, "not_available", "subscriber import is not set up on this server", "")
		return
	}
	var def herald.Platform
	if v := r.URL.Query().Get("platform"); v != "" {
		p, err := herald.ParsePlatform(v)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "invalid", "platform must be line, telegram or messenger", "platform")
			return
		}
		def = p
	}
	rep, err := roster.Import(r.Context(), s.opts.Roster, r.Body, roster.Options{Platform: def})
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the file is larger than "+itoa(int(tooBig.Limit))+" bytes; rows before the limit were imported: "+rep.String(), "")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.audit(actor, "subscribers.import", "", rep.String())
	if strings.Contains(r.Header.Get("Accept"), "text/csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="rejected.csv"`)
		_ = rep.WriteRejected(w)
		return
	}
	out := importJSON{Format: rep.Format, Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Skipped: []rejectedJSON{}}
	for _, sk := range rep.Skipped {
		out.Skipped = append(out.Skipped, rejectedJSON{Line: sk.Line, Reason: string(sk.Reason), Row: sk.Raw})
	}
	writeJSON(w, http.StatusOK, out)
}

// rosterFilter reads the list and export filter, answering the client
// itself when the routes are off or the query is wrong.
func (s *Server) rosterFilter(w http.ResponseWriter, r *http.Request) (roster.Filter, bool) {
	if s.opts.Roster == nil {
		writeError(w, http.StatusNotImplemented, "not_available", "subscriber listing and export are not set up on this server", "")
		return roster.Filter{}, false
	}
	f, bad := filterOf(r)
	if bad != "" {
		writeError(w, http.StatusUnprocessableEntity, "invalid", bad+" is not a known value", bad)
		return f, false
	}
	return f, true
}

// filterOf reads platform, tag and state from the query.
func filterOf(r *http.Request) (roster.Filter, string) {
	q := r.URL.Query()
	var f roster.Filter
	if v := q.Get("platform"); v != "" {
		p, err := herald.ParsePlatform(v)
		if err != nil {
			return f, "platform"
		}
		f.Platform = p
	}
	f.Tag = q.Get("tag")
	switch st := herald.SubscriberState(q.Get("state")); st {
	case "", herald.Subscribed, herald.Unsubscribed, herald.Blocked:
		f.State = st
	default:
		return f, "state"
	}
	return f, ""
}

// listSubscribers answers one page of subscribers and the cursor of the
// next (absent on the last page).
func (s *Server) listSubscribers(w http.ResponseWriter, r *http.Request, _ string) {
	f, ok := s.rosterFilter(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > listPageMax {
			writeError(w, http.StatusUnprocessableEntity, "invalid", "limit must be 1 to "+itoa(listPageMax), "limit")
			return
		}
		limit = n
	}
	var after uint64
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "invalid", "cursor is not one this API gave", "cursor")
			return
		}
		after = n
	}
	page, next, err := roster.Page(s.opts.Roster, f, uint32(after), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Subscribers []subscriberJSON `json:"subscribers"`
		NextCursor  string           `json:"next_cursor,omitempty"`
	}{Subscribers: []subscriberJSON{}}
	for _, sub := range page {
		out.Subscribers = append(out.Subscribers, toSubscriberJSON(sub))
	}
	if next != 0 {
		out.NextCursor = strconv.FormatUint(uint64(next), 10)
	}
	writeJSON(w, http.StatusOK, out)
}

// exportSubscribers streams the matching subscribers as CSV, the same
// columns the import reads; ?broadcast=ID keeps who that broadcast's
// audience reaches now (the audit before sending).
func (s *Server) exportSubscribers(w http.ResponseWriter, r *http.Request, _ string) {
	f, ok := s.rosterFilter(w, r)
	if !ok {
		return
	}
	if id := r.URL.Query().Get("broadcast"); id != "" {
		b, err := s.opts.Store.Broadcast(id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f.Audience, f.Now = &b.Audience, s.opts.Now()
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	if _, err := roster.Export(w, s.opts.Roster, f); err != nil {
		s.log.Error("api: subscriber export cut short", "error", err)
	}
}
