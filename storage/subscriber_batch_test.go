package storage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

// TestBigBatchKeepsEveryRecord writes one transaction of subscribers whose
// records fill several encode buffers (and one record larger than a whole
// buffer's slack), then reads every one back after a reopen. A buffer
// reused across Puts in one transaction — bbolt keeps the value slice
// until commit — would store later records' bytes under earlier keys.
func TestBigBatchKeepsEveryRecord(t *testing.T) {
	s, c := openTest(t)
	const n = 5000 // several 64 KB encode buffers, two rebuild chunks
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = user(herald.Platforms[i%3], i+1, fmt.Sprintf("t%d", i%7))
		subs[i].Name = fmt.Sprintf("Person %d", i)
		subs[i].Attributes = map[string]string{"n": fmt.Sprint(i)}
	}
	subs[n/2].Attributes["note"] = strings.Repeat("x", 2000)
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	for i := range subs {
		got, err := s.Subscriber(subs[i].Key())
		if err != nil {
			t.Fatal(err)
		}
		want := subs[i]
		want.SetTags(want.Tags)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("subscriber %d after reopen (-want +got):\n%s", i, diff)
		}
	}
	// The rebuilt index sees each of them once (chunks of the rebuild
	// stream cross no one twice and drop no one).
	counts := s.index.TagCounts()
	for k := range 7 {
		want := (n + 6 - k) / 7
		if got := counts[fmt.Sprintf("t%d", k)]; got != want {
			t.Errorf("tag t%d: index counts %d, want %d", k, got, want)
		}
	}
}
