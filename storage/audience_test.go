package storage

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// TestIndexRebuiltAfterKill writes subscribers in a child process that is
// killed without closing the store; the next Open counts them exactly.
func TestIndexRebuiltAfterKill(t *testing.T) {
	if os.Getenv("HERALD_STORAGE_CHILD") != "" {
		s, err := Open(os.Getenv("HERALD_STORAGE_CHILD"), Options{})
		if err != nil {
			os.Exit(3)
		}
		crowd.Seed(t, s)
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
	if want := len(crowd.Matching(t, s, a, now)); err != nil || cnt.Total != want || want == 0 {
		t.Errorf("count after crash = %d (%v), records say %d", cnt.Total, err, want)
	}
}
