package herald

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Response is a retarget criterion: the subscribers who tapped an action
// button or clicked a tracked link of a past broadcast (of one button, or
// of any), or, with Not, those who did not. Taps and clicks are one thing
// here because a recipient cannot tell an action button from a link
// button: both are "a button of that broadcast".
type Response struct {
	BroadcastID string
	ButtonID    string // empty: any button of the broadcast
	Not         bool
}

// RespondedFunc reports whether s tapped or clicked a button of a
// broadcast (any of its buttons when buttonID is empty). A Subscriber
// record does not hold what its owner did with broadcasts, so matching a
// Response needs this answer from storage.
type RespondedFunc func(s *Subscriber, broadcastID, buttonID string) bool

// String is the term as admins type it: tapped:B-7K2Q/b1, -tapped:B-7K2Q.
func (r Response) String() string {
	s := "tapped:" + r.BroadcastID
	if r.ButtonID != "" {
		s += "/" + r.ButtonID
	}
	if r.Not {
		s = "-" + s
	}
	return s
}

// ParseResponse reads the part after "tapped:": B-7K2Q or B-7K2Q/b1, the
// ID as people type it (see NormalizeBroadcastID); ok is false when it
// cannot be a broadcast ID or the button is empty after a slash.
func ParseResponse(s string, not bool) (Response, bool) {
	id, button, slash := strings.Cut(strings.TrimSpace(s), "/")
	button = strings.TrimSpace(button)
	id = NormalizeBroadcastID(id)
	if id == "" || (slash && button == "") || strings.ContainsAny(button, " \t,") {
		return Response{}, false
	}
	return Response{BroadcastID: id, ButtonID: button, Not: not}, true
}

// matchesResponses reports whether every Response of a holds for s;
// responded nil means nobody responded to anything.
func (a *Audience) matchesResponses(s *Subscriber, responded RespondedFunc) bool {
	for _, r := range a.Responses {
		did := responded != nil && responded(s, r.BroadcastID, r.ButtonID)
		if did == r.Not {
			return false
		}
	}
	return true
}

// UnknownResponseError is a retarget term naming a broadcast that does not
// exist or, with Button set, a button the broadcast does not have. It
// unwraps to a ValidationError on audience.tapped, so the API answers 422
// and flows can name the term in the admin's language.
type UnknownResponseError struct {
	Response Response
	Button   bool
}

func (e *UnknownResponseError) Error() string {
	if e.Button {
		return fmt.Sprintf("broadcast %s has no button %q", e.Response.BroadcastID, e.Response.ButtonID)
	}
	return "no broadcast " + e.Response.BroadcastID
}

// Unwrap is the ValidationError the API reports.
func (e *UnknownResponseError) Unwrap() error {
	return &ValidationError{Field: "audience.tapped", Code: CodeUnknown}
}

// ResolveResponses checks a's retarget terms against the stored broadcasts
// (lookup returns one, or an error wrapping ErrNotFound): each broadcast
// must exist and a named button must be one of its buttons or the links
// in its text (link1…), by ID or by label in any case (a label becomes
// the ID). A term naming nothing is an
// *UnknownResponseError rather than an audience of nobody: a typo would
// otherwise retarget everyone, or no one, silently.
func ResolveResponses(a *Audience, lookup func(id string) (Broadcast, error)) error {
	for i := range a.Responses {
		r := &a.Responses[i]
		b, err := lookup(r.BroadcastID)
		if errors.Is(err, ErrNotFound) {
			return &UnknownResponseError{Response: *r}
		}
		if err != nil {
			return fmt.Errorf("look up broadcast %s: %w", r.BroadcastID, err)
		}
		if r.ButtonID == "" {
			continue
		}
		all := b.Content.ButtonsAndLinks()
		j := slices.IndexFunc(all, func(btn Button) bool {
			return btn.ID == r.ButtonID || strings.EqualFold(btn.Label, r.ButtonID)
		})
		if j < 0 {
			return &UnknownResponseError{Response: *r, Button: true}
		}
		r.ButtonID = all[j].ID
	}
	return nil
}
