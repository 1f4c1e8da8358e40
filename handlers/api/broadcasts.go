package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

type createBroadcastRequest struct {
	Name             string       `json:"name"`
	Status           string       `json:"status"` // "draft" (default) or "scheduled"
	Audience         audienceJSON `json:"audience"`
	Content          contentJSON  `json:"content"`
	Category         string       `json:"category"`
	Tag              string       `json:"tag"`
	Schedule         scheduleJSON `json:"schedule"`
	EndOperatorChats bool         `json:"end_operator_chats"`
	ABTest           *abTestJSON  `json:"ab_test"`
}

// createBroadcast stores an external broadcast as a draft, or submits it
// to the service, which applies every check an admin's confirm does and
// schedules it or stores it pending approval.
func (s *Server) createBroadcast(w http.ResponseWriter, r *http.Request, actor string) {
	var req createBroadcastRequest
	if !decode(w, r, &req) {
		return
	}
	b, err := s.newBroadcast(&req, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	who := apiActor(actor)
	if b.Status == herald.StatusDraft {
		b, err = s.opts.Broadcasts.SaveDraft(r.Context(), b, "", who)
	} else { // over the approval threshold the service asks the admins
		b, _, err = s.opts.Broadcasts.Submit(r.Context(), b, "", who)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/broadcasts/"+b.ID)
	writeJSON(w, http.StatusCreated, toBroadcastJSON(b))
}

func (s *Server) newBroadcast(req *createBroadcastRequest, actor string) (herald.Broadcast, error) {
	name := strings.TrimSpace(req.Name)
	status := herald.Status(req.Status)
	if status == "" {
		status = herald.StatusDraft
	}
	if status != herald.StatusDraft && status != herald.StatusScheduled {
		return herald.Broadcast{}, &herald.ValidationError{Field: "status", Code: herald.CodeInvalid}
	}
	audience, err := s.audience(req.Audience)
	if err != nil {
		return herald.Broadcast{}, err
	}
	content, err := req.Content.toDomain()
	if err != nil {
		return herald.Broadcast{}, err
	}
	test, err := req.ABTest.toDomain()
	if err != nil {
		return herald.Broadcast{}, err
	}
	now := s.opts.Now().UTC()
	tokenName := strings.TrimPrefix(actor, "api:")
	b := herald.Broadcast{
		Name: name, Status: status, Audience: audience, Content: content,
		Category: herald.Category(req.Category), Tag: herald.MessageTag(req.Tag),
		Schedule: req.Schedule.toDomain(), EndOperatorChats: req.EndOperatorChats, Test: test,
		Origin:    herald.Origin{Frontend: frontend, UserID: tokenName, UserName: tokenName},
		CreatedBy: actor, UpdatedBy: actor,
	}
	if b.Schedule.Kind == herald.SendNow && b.Schedule.At.IsZero() {
		b.Schedule.At = now
	}
	return b, nil
}

func (s *Server) listBroadcasts(w http.ResponseWriter, r *http.Request, _ string) {
	q := herald.BroadcastQuery{Limit: 50}
	v := r.URL.Query()
	if st := v.Get("status"); st != "" {
		for _, part := range strings.Split(st, ",") {
			status := herald.Status(strings.TrimSpace(part))
			if !status.Valid() {
				s.fail(w, r, &herald.ValidationError{Field: "status", Code: herald.CodeInvalid})
				return
			}
			q.Statuses = append(q.Statuses, status)
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &q.Limit, 500}, {"offset", &q.Offset, 1 << 30}} {
		if raw := v.Get(p.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 || n > p.max || (p.name == "limit" && n == 0) {
				s.fail(w, r, &herald.ValidationError{Field: p.name, Code: herald.CodeInvalid, Limit: p.max})
				return
			}
			*p.dst = n
		}
	}
	list, err := s.opts.Store.ListBroadcasts(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Broadcasts []broadcastJSON `json:"broadcasts"`
		NextOffset *int            `json:"next_offset,omitempty"`
	}{Broadcasts: make([]broadcastJSON, 0, len(list))}
	for _, b := range list {
		out.Broadcasts = append(out.Broadcasts, toBroadcastJSON(b))
	}
	if len(list) == q.Limit {
		next := q.Offset + q.Limit
		out.NextOffset = &next
	}
	writeJSON(w, http.StatusOK, out)
}

// broadcastID reads {bid}, accepting the ways people type IDs ("7k2q").
func broadcastID(r *http.Request) (string, error) {
	id := herald.NormalizeBroadcastID(r.PathValue("bid"))
	if id == "" {
		return "", fmt.Errorf("api: broadcast ID %q: %w", r.PathValue("bid"), herald.ErrNotFound)
	}
	return id, nil
}

// broadcastRuns reads {bid}'s broadcast and its runs: what the endpoints
// about one broadcast's results start from.
func (s *Server) broadcastRuns(r *http.Request) (string, herald.Broadcast, []herald.Run, error) {
	id, err := broadcastID(r)
	if err != nil {
		return "", herald.Broadcast{}, nil, err
	}
	b, err := s.opts.Store.Broadcast(id)
	if err != nil {
		return "", herald.Broadcast{}, nil, err
	}
	runs, err := s.opts.Store.RunsOf(id)
	if err != nil {
		return "", herald.Broadcast{}, nil, err
	}
	return id, b, runs, nil
}

type tapJSON struct {
	ButtonID string `json:"button_id"`
	Label    string `json:"label,omitempty"`
	Taps     int    `json:"taps"`
	Unique   int    `json:"unique"`
}

// getBroadcast answers the broadcast with its runs' tallies, the totals
// over all runs, and each button's taps.
func (s *Server) getBroadcast(w http.ResponseWriter, r *http.Request, _ string) {
	id, b, runs, err := s.broadcastRuns(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	taps, err := s.opts.Store.Taps(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		broadcastJSON
		Runs   []runJSON      `json:"runs"`
		Totals tallyJSON      `json:"totals"`
		Taps   []tapJSON      `json:"taps"`
		Clicks []tapJSON      `json:"clicks"`
		AB     *abResultsJSON `json:"ab_results,omitempty"`
	}{broadcastJSON: toBroadcastJSON(b), Runs: []runJSON{}, Taps: []tapJSON{}}
	var total herald.Tally
	for _, run := range runs {
		out.Runs = append(out.Runs, toRunJSON(run))
		for _, t := range run.Tally {
			total = total.Add(t)
		}
	}
	out.Totals = toTallyJSON(total)
	counts := map[string]herald.TapCount{}
	for _, t := range taps {
		counts[t.ButtonID] = t
	}
	for _, btn := range b.Content.Buttons {
		if btn.Kind == herald.ActionButton {
			c := counts[btn.ID]
			out.Taps = append(out.Taps, tapJSON{ButtonID: btn.ID, Label: btn.Label, Taps: c.Taps, Unique: c.Unique})
		}
	}
	if out.Clicks, err = s.clicksJSON(&b); err != nil {
		s.fail(w, r, err)
		return
	}
	if out.AB, err = s.abResults(&b); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// control pauses (to paused), resumes (to scheduled) or cancels, through
// the service, which decides in one transaction with the broadcast's run.
func (s *Server) control(to herald.Status) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor string) {
		id, err := broadcastID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		svc, who := s.opts.Broadcasts, apiActor(actor)
		do := map[herald.Status]func(context.Context, string, broadcasts.Actor) (herald.Change, error){
			herald.StatusPaused: svc.Pause, herald.StatusScheduled: svc.Resume, herald.StatusCanceled: svc.Cancel}[to]
		ch, err := do(r.Context(), id, who)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, toBroadcastJSON(ch.Broadcast))
	}
}

// apiActor is an API client as the service names it: "api:<token>",
// acting from the API (its events name the token as the asker).
func apiActor(actor string) broadcasts.Actor {
	name := strings.TrimPrefix(actor, frontend+":")
	return broadcasts.Actor{Key: actor, Where: herald.Origin{Frontend: frontend, UserID: name, UserName: name}}
}

// retry sends the broadcast again to the recipients its last run failed
// (202: the new run is started and reported in the admin chat like any).
func (s *Server) retry(w http.ResponseWriter, r *http.Request, actor string) {
	id, err := broadcastID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	run, n, err := s.opts.Broadcasts.RetryFailed(r.Context(), id, apiActor(actor))
	switch {
	case errors.Is(err, broadcasts.ErrNothingToRetry):
		writeError(w, http.StatusConflict, "nothing_to_retry", "the last run failed nobody who can still be reached", "")
		return
	case errors.Is(err, herald.ErrConflict):
		writeError(w, http.StatusConflict, "run_in_progress", "a run is going; retry once it has finished", "")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		Run        runJSON `json:"run"`
		Recipients int     `json:"recipients"`
	}{toRunJSON(run), n})
}
