package storage

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// mappedKB is how much of the mapping that starts at addr is resident in
// this process (its Rss line in /proc/self/smaps).
func mappedKB(t *testing.T, addr uintptr) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	want := strconv.FormatUint(uint64(addr), 16) + "-"
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if fields := strings.Fields(l); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = strings.HasPrefix(l, want)
			continue
		}
		if rest, ok := strings.CutPrefix(l, "Rss:"); in && ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	t.Fatalf("no mapping at %#x in /proc/self/smaps", addr)
	return 0
}

func mapAddr(t *testing.T, db *bolt.DB) uintptr {
	var addr uintptr
	if err := db.View(func(*bolt.Tx) error { addr = db.Info().Data; return nil }); err != nil {
		t.Fatal(err)
	}
	return addr
}

// putNamed stores n Telegram subscribers whose IDs start with prefix, in
// batches of 1,000, each named "Subscriber <ID>" so readers can check them.
func putNamed(t *testing.T, s *Store, prefix string, n int) {
	t.Helper()
	for from := 0; from < n; from += 1000 {
		batch := make([]herald.Subscriber, 0, 1000)
		for i := from; i < min(from+1000, n); i++ {
			id := fmt.Sprintf("%s-%d", prefix, i)
			batch = append(batch, herald.Subscriber{Platform: herald.Telegram, ID: id, Kind: herald.KindUser,
				Name: "Subscriber " + id, Tags: []string{"news", "vip"}, State: herald.Subscribed})
		}
		if err := s.PutSubscribers(batch); err != nil {
			t.Fatal(err)
		}
	}
}

// names streams every subscriber's Seq and Name.
func names(t *testing.T, s *Store) map[uint32]string {
	t.Helper()
	out := map[uint32]string{}
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		out[sub.Seq] = sub.Name
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// openUntrimmed opens a store that never trims on its own (the test trims
// when it means to), holding n subscribers put by putNamed under prefix.
func openUntrimmed(t *testing.T, prefix string, n int) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "herald.db"), Options{TrimEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	putNamed(t, s, prefix, n)
	return s
}

// TestTrimDropsReadPagesAndKeepsData: after streaming every subscriber the
// file's pages are resident; a trim drops them, and the next read finds
// every record as it was.
func TestTrimDropsReadPagesAndKeepsData(t *testing.T) {
	s := openUntrimmed(t, "read", 30_000)
	before := names(t, s)
	addr := mapAddr(t, s.db)
	read := mappedKB(t, addr)
	if read < 1024 {
		t.Fatalf("only %d kB of the file resident after reading 30,000 subscribers", read)
	}
	trimMapping(s.db)
	if after := mappedKB(t, addr); after > read/10 {
		t.Errorf("%d kB still resident after the trim, %d kB before", after, read)
	}
	after := names(t, s)
	if len(after) != len(before) {
		t.Fatalf("read %d subscribers after the trim, %d before", len(after), len(before))
	}
	for seq, name := range before {
		if after[seq] != name {
			t.Fatalf("subscriber %d: %q after the trim, %q before", seq, after[seq], name)
		}
	}
}

// TestTrimWhileReadingAndGrowing trims over and over while readers stream
// and a writer grows the file (so bbolt remaps it): readers must always see
// whole, correct records and nothing may crash. Run under -race, it also
// checks the trim takes bbolt's locks the way its transactions do.
func TestTrimWhileReadingAndGrowing(t *testing.T) {
	s := openUntrimmed(t, "start", 5_000)
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	untilClosed(&wg, done, 1, func() bool { trimMapping(s.db); return true }) // the trimmer
	untilClosed(&wg, done, 2, func() bool {                                   // readers
		err := s.EachSubscriber(func(sub *herald.Subscriber) error {
			if want := "Subscriber " + sub.ID; sub.Name != want {
				return fmt.Errorf("subscriber %d: name %q, want %q", sub.Seq, sub.Name, want)
			}
			return nil
		})
		if err != nil {
			errs <- err
			return false
		}
		return true
	})
	putNamed(t, s, "grow", 40_000) // the writer: grows the file several times over
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestRunWritesDoNotStayResident: a run's writes (a snapshot's batches,
// then group commits with in-flight marks) put every page they change at
// a new place that the next transaction reads; with no timer to trim, the
// pages they allocate still trim the mapping, so what stays resident is
// bounded however long the run.
func TestRunWritesDoNotStayResident(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "herald.db"), Options{TrimEvery: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := newRun(t, s)
	const n = 100_000
	for from := uint32(1); from <= n; from += 1000 {
		if err := s.AddDeliveries(r.ID, pending(1000, herald.Telegram, from)); err != nil {
			t.Fatal(err)
		}
	}
	for from := uint32(1); from <= n; from += 500 {
		started := make([]uint32, 500)
		for i := range started {
			started[i] = from + uint32(i)
		}
		ds, err := s.PendingDeliveries(r.ID, herald.Telegram, from-1, 500)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ds {
			ds[i].Outcome = herald.Sent
		}
		if err := s.CommitDeliveries(r.ID, started, ds); err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	got := mappedKB(t, mapAddr(t, s.db))
	if limit := 2 * trimAfterBytes / 1024; got > limit {
		t.Errorf("%d kB of the %d kB file resident after the run, want at most %d", got, info.Size()/1024, limit)
	}
	if run, err := s.Run(r.ID); err != nil || run.Tally[herald.Telegram].Sent != n {
		t.Errorf("tally %+v, %v; want %d sent", run.Tally, err, n)
	}
}
