package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
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
}

// createBroadcast stores an external broadcast as a draft, or scheduled
// when it passes every check a scheduled broadcast must pass.
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
	var cnt herald.Count
	if b.Status == herald.StatusScheduled {
		if cnt, err = s.checkAudience(&b); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.opts.Store.CreateBroadcast(&b); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(actor, "broadcast.create", b.ID, "status "+string(b.Status))
	if b.Status == herald.StatusPending && s.opts.Approvals != nil {
		s.opts.Approvals.RequestApproval(r.Context(), b, cnt)
	}
	w.Header().Set("Location", "/api/v1/broadcasts/"+b.ID)
	writeJSON(w, http.StatusCreated, toBroadcastJSON(b))
}

// checkAudience counts who b reaches, as an admin's confirm does: nobody
// is a mistake, and more than the approval threshold waits for an admin
// to approve (status pending_approval) instead of being scheduled.
func (s *Server) checkAudience(b *herald.Broadcast) (herald.Count, error) {
	cnt, err := s.opts.Store.Count(&b.Audience, b.Category, s.opts.Now())
	if err != nil {
		return cnt, err
	}
	if cnt.Total == 0 {
		return cnt, &herald.ValidationError{Field: "audience", Code: herald.CodeNoRecipients}
	}
	if th := s.opts.ApprovalThreshold; th > 0 && cnt.Total > th {
		b.Status = herald.StatusPending
	}
	return cnt, nil
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
	audience, err := req.Audience.toDomain()
	if err != nil {
		return herald.Broadcast{}, err
	}
	content, err := req.Content.toDomain()
	if err != nil {
		return herald.Broadcast{}, err
	}
	now := s.opts.Now().UTC()
	tokenName := strings.TrimPrefix(actor, "api:")
	b := herald.Broadcast{
		Name: name, Status: status, Audience: audience, Content: content,
		Category: herald.Category(req.Category), Tag: herald.MessageTag(req.Tag),
		Schedule: req.Schedule.toDomain(), EndOperatorChats: req.EndOperatorChats,
		Origin:    herald.Origin{Frontend: frontend, UserID: tokenName, UserName: tokenName},
		CreatedBy: actor, UpdatedBy: actor,
	}
	if b.Schedule.Kind == herald.SendNow && b.Schedule.At.IsZero() {
		b.Schedule.At = now
	}
	// A draft may be incomplete, but it needs a name to be found again.
	if name == "" {
		return b, &herald.ValidationError{Field: "name", Code: herald.CodeRequired}
	}
	// Quiet hours given are checked even on a draft: a malformed window is
	// the client's mistake, better told now than when an admin confirms.
	if q := b.Schedule.Quiet; q != nil {
		if err := q.Validate(); err != nil {
			return b, err
		}
	}
	if status == herald.StatusDraft {
		if len([]rune(name)) > herald.MaxNameLen {
			return b, &herald.ValidationError{Field: "name", Code: herald.CodeTooLong, Limit: herald.MaxNameLen}
		}
		return b, nil
	}
	if err := b.Validate(); err != nil {
		return b, err
	}
	if b.Schedule.Kind == herald.SendAt && b.Schedule.At.Before(now) {
		return b, &herald.ValidationError{Field: "schedule.at", Code: herald.CodeInPast}
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
		Runs   []runJSON `json:"runs"`
		Totals tallyJSON `json:"totals"`
		Taps   []tapJSON `json:"taps"`
		Clicks []tapJSON `json:"clicks"`
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
	writeJSON(w, http.StatusOK, out)
}

// errNoRunControl refuses to stop a sending broadcast without dispatch.
var errNoRunControl = errors.New("api: run control is not available")

// control pauses (to paused), resumes (to scheduled) or cancels.
func (s *Server) control(to herald.Status) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor string) {
		id, err := broadcastID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		before, err := s.opts.Store.Broadcast(id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.changeStatus(r.Context(), id, to, actor); err != nil {
			if errors.Is(err, errNoRunControl) {
				writeError(w, http.StatusConflict, "run_control_unavailable",
					"the broadcast is sending and this server has no dispatcher to stop it; try again later", "status")
				return
			}
			s.fail(w, r, err)
			return
		}
		b, err := s.opts.Store.Broadcast(id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if b.Status != before.Status && s.opts.Changes != nil { // a repeated pause changes nothing
			s.opts.Changes.BroadcastChanged(r.Context(), b, controlActions[to], actor)
		}
		writeJSON(w, http.StatusOK, toBroadcastJSON(b))
	}
}

// controlActions name the status changes control makes, in audit entries
// and for Changes.
var controlActions = map[herald.Status]string{herald.StatusPaused: "pause", herald.StatusScheduled: "resume", herald.StatusCanceled: "cancel"}

// errRunning: the broadcast has a run going, which the dispatcher controls.
var errRunning = errors.New("api: broadcast has a run in progress")

// changeStatus changes a broadcast that is not sending in storage, as an
// admin's command does, and asks the dispatcher to stop or go on with one
// that is. Without a dispatcher only a paused run can still be canceled.
func (s *Server) changeStatus(ctx context.Context, id string, to herald.Status, actor string) error {
	rc := s.opts.Runs
	_, err := s.opts.Store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		running := b.Status == herald.StatusSending || (b.Status == herald.StatusPaused && b.Runs > 0)
		if running && (rc != nil || to != herald.StatusCanceled || b.Status == herald.StatusSending) {
			return errRunning
		}
		// Only what was paused resumes: a draft or a broadcast waiting for
		// approval is scheduled by an admin confirming or approving it.
		if to == herald.StatusScheduled && b.Status != herald.StatusPaused {
			return fmt.Errorf("api: resume %s: %w: %s → %s", id, herald.ErrInvalidTransition, b.Status, to)
		}
		if err := herald.Transition(b.Status, to); err != nil {
			return err
		}
		b.Status, b.UpdatedBy = to, actor
		return nil
	})
	switch {
	case errors.Is(err, errRunning) && rc == nil:
		return errNoRunControl
	case errors.Is(err, errRunning):
		switch to {
		case herald.StatusPaused:
			return rc.Pause(ctx, id, actor)
		case herald.StatusScheduled:
			return rc.Resume(ctx, id, actor)
		default:
			return rc.Cancel(ctx, id, actor)
		} // the dispatcher audits what it does
	case err == nil:
		s.audit(actor, "broadcast."+controlActions[to], id, "")
	}
	return err
}
