package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
	bolt "go.etcd.io/bbolt"
)

func TestOpenLockedFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// bbolt's flock is per open file description: a second Open in this
	// process conflicts just as another process would.
	_, err = Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: err = %v, want ErrLocked", err)
	}
	if want := "another herald is running with " + path; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	_, err = Open(path, Options{LockTimeout: 50 * time.Millisecond, ReadOnly: true})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("read-only open while running: err = %v, want ErrLocked", err)
	}
}

func TestOpenCorruptFails(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	files := map[string][]byte{
		"text.db":    []byte("this is a config file, not a database\n"),
		"garbage.db": bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 8192),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"text.db", "garbage.db", "foreign.db"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			before, _ := os.ReadFile(path)
			_, err := Open(path, Options{LockTimeout: 50 * time.Millisecond})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("a file that failed to open was written to")
			}
		})
	}
}

func TestOpenReadOnlyMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not exist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("read-only open created the file")
	}
}

func TestMigrationsRunInOrderOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	var ran []string
	step := func(name string) migration {
		return migration{name: name, fn: func(tx *bolt.Tx) error {
			ran = append(ran, name)
			_, err := tx.CreateBucketIfNotExists([]byte(name))
			return err
		}}
	}
	v1 := []migration{{name: "create buckets", fn: createBuckets}, step("two")}
	s, err := Open(path, Options{migrations: v1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	v2 := append(v1, step("three"), step("four"))
	s, err = Open(path, Options{migrations: v2})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path, Options{migrations: v2})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := strings.Join(ran, ","); got != "two,three,four" {
		t.Errorf("migrations ran %q, want two,three,four", got)
	}

	// A failing step rolls back the whole migration: no bucket, same schema.
	broken := append(v2, step("five"), migration{name: "boom", fn: func(*bolt.Tx) error { return errors.New("boom") }})
	if _, err := Open(path, Options{migrations: broken}); err == nil || !strings.Contains(err.Error(), "migration 6 (boom)") {
		t.Fatalf("broken migration: err = %v", err)
	}
	s, err = Open(path, Options{migrations: v2})
	if err != nil {
		t.Fatalf("open after failed migration: %v", err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("five")) != nil {
			t.Error("the failed migration's first step was kept")
		}
		if v, _ := schemaVersion(tx); v != 4 {
			t.Errorf("schema = %d, want 4", v)
		}
		return nil
	})
	s.Close()

	// An older herald refuses a newer file instead of misreading it.
	if _, err := Open(path, Options{migrations: v1}); err == nil || !strings.Contains(err.Error(), "newer herald") {
		t.Errorf("old build on new file: err = %v", err)
	}
}

func TestNotFoundIsNeverNil(t *testing.T) {
	s, _ := openTest(t)
	checks := map[string]error{}
	_, checks["subscriber"] = s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U0"})
	checks["delete subscriber"] = s.DeleteSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U0"})
	_, checks["session"] = s.Session("x")
	_, checks["admin"] = s.Admin("slack:U1")
	_, _, checks["media"] = s.Media("nope")
	for what, err := range checks {
		if !errors.Is(err, herald.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", what, err)
		} else if !strings.HasPrefix(err.Error(), "storage: ") {
			t.Errorf("%s: error %q lacks the storage prefix", what, err)
		}
	}
}

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
	if err := s.PutSubscribers([]herald.Subscriber{crowd.Person(herald.LINE, 1, "vip"), crowd.Person(herald.Telegram, 2)}); err != nil {
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
