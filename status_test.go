package herald

import (
	"errors"
	"strings"
	"testing"
)

// TestTransitionsEveryPair pins the whole life cycle: each row lists the
// statuses a broadcast may move to; every other pair must be refused.
func TestTransitionsEveryPair(t *testing.T) {
	allowed := map[Status]string{
		StatusDraft:     "pending_approval scheduled canceled",
		StatusPending:   "scheduled draft canceled",
		StatusScheduled: "sending paused draft canceled completed",
		StatusSending:   "paused completed canceled failed scheduled",
		StatusPaused:    "sending scheduled canceled draft",
		StatusCompleted: "",
		StatusCanceled:  "",
		StatusFailed:    "",
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := strings.Contains(" "+allowed[from]+" ", " "+string(to)+" ")
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			err := Transition(from, to)
			if want != (err == nil) {
				t.Errorf("Transition(%s, %s) = %v", from, to, err)
			}
			if err != nil && (!errors.Is(err, ErrInvalidTransition) ||
				!strings.Contains(err.Error(), string(from)) || !strings.Contains(err.Error(), string(to))) {
				t.Errorf("Transition(%s, %s) error %q should wrap ErrInvalidTransition and name both", from, to, err)
			}
		}
	}
}

func TestStatusFinalAndValid(t *testing.T) {
	for _, s := range Statuses {
		final := s == StatusCompleted || s == StatusCanceled || s == StatusFailed
		if s.Final() != final || s.Unfinished() == final {
			t.Errorf("%s: Final %v, Unfinished %v", s, s.Final(), s.Unfinished())
		}
		if !s.Valid() {
			t.Errorf("%s is not Valid", s)
		}
		// Nothing leaves a final status; everything else has a way out.
		if hasExit := len(transitions[s]) > 0; hasExit == final {
			t.Errorf("%s: final %v but has exits %v", s, final, transitions[s])
		}
	}
	for _, s := range []Status{"", "sent", "Draft"} {
		if s.Valid() {
			t.Errorf("%q should not be Valid", s)
		}
	}
}
