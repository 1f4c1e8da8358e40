package adminchat_test

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald/handlers/adminchat"
)

// An answer is trusted for the TTL, then asked again; a failed lookup is
// not remembered.
func TestLookupsTrustAnAnswerForTheirTTLAndForgetFailures(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := adminchat.NewLookups[string, bool](5*time.Minute, func() time.Time { return now })
	calls := 0
	ask := func(answer bool, err error) func() (bool, error) {
		return func() (bool, error) { calls++; return answer, err }
	}
	if v, err := c.Get("alice", ask(false, errors.New("503"))); err == nil || v {
		t.Fatalf("a failed lookup answered %v, %v", v, err)
	}
	if v, _ := c.Get("alice", ask(true, nil)); !v || calls != 2 {
		t.Fatalf("after a failure: %v with %d calls, want a fresh ask", v, calls)
	}
	now = now.Add(4 * time.Minute)
	if v, _ := c.Get("alice", ask(false, nil)); !v || calls != 2 {
		t.Fatalf("within the TTL: %v with %d calls, want the cached yes", v, calls)
	}
	now = now.Add(2 * time.Minute)
	if v, _ := c.Get("alice", ask(false, nil)); v || calls != 3 {
		t.Fatalf("past the TTL: %v with %d calls, want a fresh no", v, calls)
	}
}
