package herald

import "strings"

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
