package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

func TestOpenRefusesAnEmptyFileWithoutWritingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	var de *DamagedError
	if !errors.As(err, &de) || de.Reason != reasonEmpty || de.Path != path || !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open an empty file: %v", err)
	}
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Errorf("the empty file now has %d bytes", st.Size())
	}
}

// A panic of our own code inside a transaction is a bug, not damage: it
// must not be reported as "restore a backup".
func TestGuardLetsOurOwnPanicsThrough(t *testing.T) {
	s, _ := openTest(t)
	defer func() {
		if r := recover(); r != "a bug" {
			t.Errorf("recovered %v; want our own panic", r)
		}
	}()
	_ = s.view("test", func(tx *bolt.Tx) error { panic("a bug") })
	t.Error("the panic was swallowed")
}

func TestCheckOfASoundFileFindsNothing(t *testing.T) {
	s, _ := openTest(t)
	if err := s.PutSubscribers([]herald.Subscriber{user(herald.LINE, 1, "vip"), user(herald.Telegram, 2)}); err != nil {
		t.Fatal(err)
	}
	newBroadcast(t, s, "Spring sale")
	rep, err := s.Check()
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %v %v", rep.Problems, err)
	}
	got := map[string]int{}
	for _, k := range rep.Kinds {
		got[k.Kind] = k.Records
	}
	if got["subscribers"] != 2 || got["subscriber_keys"] != 2 || got["broadcasts"] != 1 {
		t.Errorf("kinds: %v", rep.Kinds)
	}
}
