package api

import (
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// abTestJSON is an A/B test (herald.ABTest): the broadcast's content is
// variant A, variants are B to D, each goes to percent of the audience,
// and the winner to the rest wait_minutes after. The rest is read-only:
// what Herald made of it.
type abTestJSON struct {
	Variants    []contentJSON `json:"variants"`
	Percent     float64       `json:"percent"`
	WaitMinutes int           `json:"wait_minutes"`
	Seed        uint64        `json:"seed,omitempty"`
	VariantIDs  []string      `json:"variant_ids,omitempty"`
	DecideAt    *time.Time    `json:"decide_at,omitempty"`
	Winner      string        `json:"winner,omitempty"`
	RestID      string        `json:"rest_id,omitempty"`
	Asked       bool          `json:"asked,omitempty"`
	Done        bool          `json:"done,omitempty"`
}

// abPartJSON marks a variant's or the rest's broadcast of a test.
type abPartJSON struct {
	TestID  string `json:"test_id"`
	Variant string `json:"variant"`
	Rest    bool   `json:"rest,omitempty"`
}

func (j *abTestJSON) toDomain() (*herald.ABTest, error) {
	if j == nil {
		return nil, nil
	}
	t := &herald.ABTest{Percent: j.Percent, Wait: time.Duration(j.WaitMinutes) * time.Minute, Seed: j.Seed}
	for _, v := range j.Variants {
		c, err := v.toDomain()
		if err != nil {
			return nil, err
		}
		t.Variants = append(t.Variants, c)
	}
	return t, nil
}

func toABTestJSON(t *herald.ABTest) *abTestJSON {
	if t == nil {
		return nil
	}
	out := &abTestJSON{Percent: t.Percent, WaitMinutes: int(t.Wait / time.Minute), Seed: t.Seed,
		VariantIDs: t.Children, DecideAt: timePtr(t.DecideAt), RestID: t.Rest, Asked: t.Asked, Done: t.Done}
	if t.Winner != 0 {
		out.Winner = herald.VariantLetter(t.Winner)
	}
	for _, c := range t.Variants {
		out.Variants = append(out.Variants, toContentJSON(c))
	}
	return out
}

func toABPartJSON(p *herald.ABPart) *abPartJSON {
	if p == nil {
		return nil
	}
	return &abPartJSON{TestID: p.Test, Variant: herald.VariantLetter(p.Variant), Rest: p.Rest}
}

// pick sends a variant of an A/B test whose variants went out to the
// rest, as /pick does in the chat (200: the test, with its winner).
func (s *Server) pick(w http.ResponseWriter, r *http.Request, actor string) {
	id, err := broadcastID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Variant string `json:"variant"`
	}
	if !decode(w, r, &req) {
		return
	}
	b, err := s.opts.Store.Broadcast(id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if b.Test == nil {
		writeError(w, http.StatusConflict, "not_ab_test", "the broadcast is not an A/B test", "")
		return
	}
	v := herald.VariantOf(req.Variant, b.Test.N())
	if v == 0 {
		s.fail(w, r, &herald.ValidationError{Field: "variant", Code: herald.CodeInvalid})
		return
	}
	b, err = s.opts.Broadcasts.PickVariant(r.Context(), id, v, apiActor(actor))
	switch {
	case errors.Is(err, broadcasts.ErrNotSent):
		writeError(w, http.StatusConflict, "variants_not_sent", "the variants have not gone out yet", "")
		return
	case errors.Is(err, broadcasts.ErrDecided):
		writeError(w, http.StatusConflict, "already_decided", "the winner was picked already, or the test was canceled", "")
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toBroadcastJSON(b))
}

// abResultsJSON is how an A/B test whose variants went out is doing: its
// state, the variants side by side, and the decision once there is one.
type abResultsJSON struct {
	// State is waiting (for decide_at), waiting_for_pick (nobody tapped:
	// an admin picks, in the chat or POST .../pick), decided, or
	// called_off (canceled while it waited: no rest).
	State     string              `json:"state"`
	Variants  []variantResultJSON `json:"variants"`
	DecideAt  *time.Time          `json:"decide_at,omitempty"`
	Winner    string              `json:"winner,omitempty"`
	DecidedBy string              `json:"decided_by,omitempty"`
	PickedBy  string              `json:"picked_by,omitempty"`
	RestID    string              `json:"rest_id,omitempty"`
}

// variantResultJSON is one variant's result (herald.VariantResult).
type variantResultJSON struct {
	Variant     string  `json:"variant"`
	BroadcastID string  `json:"broadcast_id"`
	Delivered   int     `json:"delivered"`
	Responded   int     `json:"responded"`
	Rate        float64 `json:"rate"`
}

// abResults is test b's results for GET /api/v1/broadcasts/{id}; nil
// before its variants went out (or for a broadcast that is no test).
func (s *Server) abResults(b *herald.Broadcast) (*abResultsJSON, error) {
	t := b.Test
	if t == nil || len(t.Children) == 0 {
		return nil, nil
	}
	rs, err := s.opts.Broadcasts.TestResults(b)
	if err != nil {
		return nil, err
	}
	out := &abResultsJSON{State: "waiting", DecideAt: timePtr(t.DecideAt), RestID: t.Rest, Variants: []variantResultJSON{}}
	for i, r := range rs {
		out.Variants = append(out.Variants, variantResultJSON{Variant: herald.VariantLetter(i + 1), BroadcastID: r.BroadcastID,
			Delivered: r.Delivered, Responded: r.Responded, Rate: math.Round(r.Rate()*10000) / 10000})
	}
	switch {
	case t.Winner != 0:
		out.State, out.Winner = "decided", herald.VariantLetter(t.Winner)
		switch {
		case t.PickedByRule():
			out.DecidedBy = "taps"
		case t.By != "":
			out.DecidedBy, out.PickedBy = "admin", t.By
		}
	case t.Done:
		out.State = "called_off"
	case t.WaitingForPick():
		out.State = "waiting_for_pick"
	}
	return out, nil
}
