package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Sequences is the sequences service (*sequences.Service): every change
// to a sequence, and every trigger, is decided there. The API is the
// chat's door onto it and one more: events that start sequences (tags
// and unsubscribes start and end them through the store's notes).
type Sequences interface {
	flows.Sequences
	Event(ctx context.Context, id, name string, key herald.SubscriberKey) ([]string, bool, error)
}

type triggerJSON struct {
	Kind        string `json:"kind"`
	Channel     string `json:"channel,omitempty"`
	Tag         string `json:"tag,omitempty"`
	BroadcastID string `json:"broadcast_id,omitempty"`
	ButtonID    string `json:"button_id,omitempty"`
	Event       string `json:"event,omitempty"`
}

type stepJSON struct {
	Delay   string      `json:"delay"`
	At      string      `json:"at,omitempty"`
	Content contentJSON `json:"content"`
}

type sequenceRequest struct {
	Name     string      `json:"name"`
	Trigger  triggerJSON `json:"trigger"`
	Steps    []stepJSON  `json:"steps"`
	ExitTags []string    `json:"exit_tags"`
	Paused   bool        `json:"paused"`
	// Accounts, when given, are the only accounts the sequence reaches
	// (absent: every account on create, unchanged on replace).
	Accounts *[]string `json:"accounts"`
}

type stepStatsJSON struct {
	Step    int  `json:"step"`
	Waiting int  `json:"waiting"`
	Sent    int  `json:"sent"`
	Failed  int  `json:"failed"`
	Tapped  int  `json:"tapped"`
	Stalled bool `json:"stalled"`
}

type sequenceJSON struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Trigger   triggerJSON     `json:"trigger"`
	Steps     []stepJSON      `json:"steps"`
	ExitTags  []string        `json:"exit_tags"`
	Accounts  []string        `json:"accounts,omitempty"`
	Paused    bool            `json:"paused"`
	Enrolled  int             `json:"enrolled"`
	Finished  int             `json:"finished"`
	Left      int             `json:"left"`
	Stats     []stepStatsJSON `json:"stats"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func (req *sequenceRequest) toDomain(accounts map[string]herald.Account) (herald.Sequence, error) {
	q := herald.Sequence{Name: strings.TrimSpace(req.Name), ExitTags: req.ExitTags, Paused: req.Paused,
		Trigger: herald.Trigger{Kind: herald.TriggerKind(req.Trigger.Kind), Channel: herald.Platform(req.Trigger.Channel),
			Tag: req.Trigger.Tag, Broadcast: req.Trigger.BroadcastID, Button: req.Trigger.ButtonID, Event: req.Trigger.Event}}
	if req.Accounts != nil {
		q.Accounts = []herald.Account{}
		for _, name := range *req.Accounts {
			acc, ok := lookupAccount(accounts, name)
			if !ok {
				return q, &herald.ValidationError{Field: "accounts", Code: herald.CodeInvalid}
			}
			if !slices.Contains(q.Accounts, acc) {
				q.Accounts = append(q.Accounts, acc)
			}
		}
	}
	if strings.ContainsAny(req.Trigger.Channel, ":@") {
		acc, ok := lookupAccount(accounts, req.Trigger.Channel)
		if !ok {
			return q, &herald.ValidationError{Field: "trigger.channel", Code: herald.CodeInvalid}
		}
		q.Trigger.Channel, q.Trigger.Account = acc.Platform, acc.Name
	}
	for i, st := range req.Steps {
		var delay time.Duration
		if strings.TrimSpace(st.Delay) != "" && strings.TrimSpace(st.Delay) != "0" {
			d, err := parsePeriod(st.Delay)
			if err != nil {
				return q, &herald.ValidationError{Field: "steps." + itoa(i) + ".delay", Code: herald.CodeInvalid}
			}
			delay = d
		}
		c, err := st.Content.toDomain()
		if err != nil {
			return q, err
		}
		q.Steps = append(q.Steps, herald.Step{Delay: delay, At: st.At, Content: c})
	}
	return q, nil
}

func (s *Server) toSequenceJSON(q *herald.Sequence) (sequenceJSON, error) {
	out := sequenceJSON{ID: q.ID, Name: q.Name, ExitTags: q.ExitTags, Paused: q.Paused,
		Enrolled: q.Counts.Enrolled, Finished: q.Counts.Finished, Left: q.Counts.Left,
		CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
		Trigger: triggerJSON{Kind: string(q.Trigger.Kind), Tag: q.Trigger.Tag,
			BroadcastID: q.Trigger.Broadcast, ButtonID: q.Trigger.Button, Event: q.Trigger.Event}}
	if q.Trigger.Channel != "" {
		out.Trigger.Channel = herald.Account{Platform: q.Trigger.Channel, Name: q.Trigger.Account}.String()
	}
	if out.ExitTags == nil {
		out.ExitTags = []string{}
	}
	for _, acc := range q.Accounts {
		out.Accounts = append(out.Accounts, acc.String())
	}
	for _, st := range q.Steps {
		out.Steps = append(out.Steps, stepJSON{Delay: formatPeriod(st.Delay), At: st.At, Content: toContentJSON(st.Content)})
	}
	stats, err := s.opts.Sequences.Stats(q)
	for _, st := range stats {
		out.Stats = append(out.Stats, stepStatsJSON(st))
	}
	return out, err
}

// sequencesOn answers 501 when the server has no sequences service.
func (s *Server) sequencesOn(w http.ResponseWriter) bool {
	if s.opts.Sequences == nil {
		writeError(w, http.StatusNotImplemented, "not_available", "sequences are not set up on this server", "")
		return false
	}
	return true
}

func (s *Server) writeSequence(w http.ResponseWriter, r *http.Request, status int, q *herald.Sequence) {
	out, err := s.toSequenceJSON(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, out)
}

func (s *Server) createSequence(w http.ResponseWriter, r *http.Request, actor string) {
	var req sequenceRequest
	if !s.sequencesOn(w) || !decode(w, r, &req) {
		return
	}
	q, err := req.toDomain(s.opts.Accounts)
	if err == nil {
		err = s.opts.Sequences.Create(r.Context(), actor, &q)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/sequences/"+q.ID)
	s.writeSequence(w, r, http.StatusCreated, &q)
}

func (s *Server) listSequences(w http.ResponseWriter, r *http.Request, _ string) {
	if !s.sequencesOn(w) {
		return
	}
	all, err := s.opts.Sequences.List()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := []sequenceJSON{}
	for i := range all {
		q, err := s.toSequenceJSON(&all[i])
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out = append(out, q)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sequences": out})
}

func (s *Server) getSequence(w http.ResponseWriter, r *http.Request, _ string) {
	if !s.sequencesOn(w) {
		return
	}
	q, err := s.opts.Sequences.Get(r.PathValue("qid"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeSequence(w, r, http.StatusOK, &q)
}

// replaceSequence sets a sequence's name, trigger, steps (by position: a
// step's people and figures stay with its position) and exit tags.
func (s *Server) replaceSequence(w http.ResponseWriter, r *http.Request, actor string) {
	var req sequenceRequest
	if !s.sequencesOn(w) || !decode(w, r, &req) {
		return
	}
	nq, err := req.toDomain(s.opts.Accounts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := s.opts.Sequences.Update(r.Context(), actor, r.PathValue("qid"), func(q *herald.Sequence) error {
		q.Name, q.Trigger, q.ExitTags = nq.Name, nq.Trigger, nq.ExitTags
		if req.Accounts != nil {
			q.Accounts = nq.Accounts
		}
		for i := range nq.Steps {
			if i < len(q.Steps) {
				nq.Steps[i].BroadcastID = q.Steps[i].BroadcastID
			}
		}
		q.Steps = nq.Steps
		return nil
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeSequence(w, r, http.StatusOK, &q)
}

func (s *Server) deleteSequence(w http.ResponseWriter, r *http.Request, actor string) {
	if !s.sequencesOn(w) {
		return
	}
	_, err := s.opts.Sequences.Delete(r.Context(), actor, r.PathValue("qid"))
	switch {
	case errors.Is(err, herald.ErrInvalidTransition):
		writeError(w, http.StatusConflict, "invalid_transition", "a step of this sequence is being sent; pause the sequence and try again once it is done", "")
	case err != nil:
		s.fail(w, r, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) pauseSequence(paused bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, actor string) {
		if !s.sequencesOn(w) {
			return
		}
		q, _, err := s.opts.Sequences.SetPaused(r.Context(), actor, r.PathValue("qid"), paused)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeSequence(w, r, http.StatusOK, &q)
	}
}

// triggerEvent is POST /api/v1/events: the named event starts the
// sequences waiting for it for one subscriber. An ID already taken is a
// client's retry: answered 200 with duplicate true, triggering nothing.
func (s *Server) triggerEvent(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Subscriber struct {
			Platform string `json:"platform"`
			ID       string `json:"id"`
		} `json:"subscriber"`
	}
	if !s.sequencesOn(w) || !decode(w, r, &req) {
		return
	}
	var err error
	switch {
	case strings.TrimSpace(req.ID) == "":
		err = &herald.ValidationError{Field: "id", Code: herald.CodeRequired}
	case len(req.ID) > 128:
		err = &herald.ValidationError{Field: "id", Code: herald.CodeTooLong, Limit: 128}
	case !herald.ValidEventName(req.Name):
		err = &herald.ValidationError{Field: "name", Code: herald.CodeInvalid}
	}
	var key herald.SubscriberKey
	if err == nil {
		key, err = herald.ParseSubscriberKey(req.Subscriber.Platform + ":" + req.Subscriber.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entered, first, err := s.opts.Sequences.Event(r.Context(), req.ID, req.Name, key)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if entered == nil {
		entered = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": req.ID, "duplicate": !first, "sequences": entered})
}
