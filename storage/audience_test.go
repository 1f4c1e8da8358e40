package storage

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// seedAudience stores 3,000 subscribers: every third on Telegram, tag
// "vip" on every fifth, "tw" on every second, and every seventh blocked.
func seedAudience(t *testing.T, s *Store) {
	t.Helper()
	var batch []herald.Subscriber
	for i := 1; i <= 3000; i++ {
		p := herald.LINE
		if i%3 == 0 {
			p = herald.Telegram
		}
		var tags []string
		if i%5 == 0 {
			tags = append(tags, "vip")
		}
		if i%2 == 0 {
			tags = append(tags, "tw")
		}
		sub := user(p, i, tags...)
		if i%7 == 0 {
			sub.State = herald.Blocked
		}
		batch = append(batch, sub)
	}
	if err := s.PutSubscribers(batch); err != nil {
		t.Fatal(err)
	}
}

// brute counts what EachSubscriber says matches: the reference answer.
func brute(t *testing.T, s *Store, a *herald.Audience, now time.Time) []uint32 {
	var seqs []uint32
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if a.Matches(sub, now) {
			seqs = append(seqs, sub.Seq)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return seqs
}

// TestIndexRebuiltAfterKill writes subscribers in a child process that is
// killed without closing the store; the next Open counts them exactly.
func TestIndexRebuiltAfterKill(t *testing.T) {
	if os.Getenv("HERALD_STORAGE_CHILD") != "" {
		s, err := Open(os.Getenv("HERALD_STORAGE_CHILD"), Options{})
		if err != nil {
			os.Exit(3)
		}
		seedAudience(t, s)
		os.Exit(0) // no Close: as good as a crash for bbolt
	}
	path := t.TempDir() + "/crash.db"
	cmd := exec.Command(os.Args[0], "-test.run=^TestIndexRebuiltAfterKill$")
	cmd.Env = append(os.Environ(), "HERALD_STORAGE_CHILD="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := &herald.Audience{Channels: []herald.Platform{herald.LINE, herald.Telegram}, IncludeTags: []string{"vip"}}
	now := time.Now()
	cnt, err := s.Count(a, herald.Marketing, now)
	if want := len(brute(t, s, a, now)); err != nil || cnt.Total != want || want == 0 {
		t.Errorf("count after crash = %d (%v), records say %d", cnt.Total, err, want)
	}
}
