package audiencetest_test

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/audiencetest"
	"github.com/heraldbot/herald/storage"
)

// TestStoreCountsAgreeWithScan writes random subscribers to a real bbolt
// store (inserts, rewrites, erasures), then checks that the store's indexed
// Count and EachRecipient equal a brute-force scan of bbolt with
// herald.Audience.Matches — before and after a reopen, which rebuilds the
// index from the file.
func TestStoreCountsAgreeWithScan(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "herald.db")
	opts := storage.Options{Now: func() time.Time { return now }}
	st, err := storage.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, 12))
	keys := map[herald.SubscriberKey]bool{}
	for round := range 8 {
		var batch []herald.Subscriber
		for range 40 {
			s := audiencetest.RandomSubscriber(r, uint32(r.IntN(150)+1), now, true)
			s.Seq = 0 // storage assigns Seqs
			batch = append(batch, *s)
			keys[s.Key()] = true
		}
		if err := st.PutSubscribers(batch); err != nil {
			t.Fatalf("round %d: PutSubscribers: %v", round, err)
		}
		for k := range keys {
			if r.IntN(4) == 0 { // webhook-style updates: a message, a tag, a block
				_, err := st.UpdateSubscriber(k, func(s *herald.Subscriber, _ bool) error {
					s.LastInteraction = now.Add(-time.Duration(r.IntN(48)) * time.Hour)
					s.AddTags([]string{"vip", "news", "beta"}[r.IntN(3)])
					s.State = []herald.SubscriberState{herald.Subscribed, herald.Subscribed, herald.Blocked, herald.Unsubscribed}[r.IntN(4)]
					return nil
				})
				if err != nil {
					t.Fatalf("UpdateSubscriber(%s): %v", k, err)
				}
			}
			if r.IntN(15) == 0 {
				if err := st.DeleteSubscriber(k); err != nil {
					t.Fatalf("DeleteSubscriber(%s): %v", k, err)
				}
				delete(keys, k)
			}
		}
		checkStore(t, st, r, now, round)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = storage.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkStore(t, st, r, now, 99)
}

func checkStore(t *testing.T, st *storage.Store, r *rand.Rand, now time.Time, round int) {
	t.Helper()
	var ids []string
	if err := st.EachSubscriber(func(s *herald.Subscriber) error {
		ids = append(ids, s.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for range 40 {
		a := audiencetest.RandomAudience(r, ids)
		ref := audiencetest.BruteCounter{A: a, Cat: []herald.Category{herald.Marketing, herald.NonMarketing}[r.IntN(2)], Now: now}
		if err := st.EachSubscriber(func(s *herald.Subscriber) error { ref.Add(s); return nil }); err != nil {
			t.Fatal(err)
		}
		got, err := st.Count(a, ref.Cat, now)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(ref.Count, got) {
			t.Fatalf("round %d: store Count(%+v) = %+v, scan of bbolt %+v", round, a, got, ref.Count)
		}
		var streamed []uint32
		if err := st.EachRecipient(a, now, func(s *herald.Subscriber) error {
			streamed = append(streamed, s.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(streamed) {
			t.Fatalf("round %d: EachRecipient not in Seq order: %v", round, streamed)
		}
		slices.Sort(ref.Seqs)
		if !slices.Equal(ref.Seqs, streamed) {
			t.Fatalf("round %d: EachRecipient %v, scan of bbolt %v for %+v", round, streamed, ref.Seqs, a)
		}
	}
}

// TestMeasureAgreesAndReports runs the load tool's pipeline on a small
// in-memory source: the summary line has every key, and the index's count
// matches the brute-force scan (Measure fails otherwise).
func TestMeasureAgreesAndReports(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var stored []herald.Subscriber
	err := audiencetest.Load(func(b []herald.Subscriber) error {
		for _, s := range b {
			s.Tags = append([]string(nil), s.Tags...)
			attrs := map[string]string{}
			for k, v := range s.Attributes {
				attrs[k] = v
			}
			s.Attributes = attrs
			stored = append(stored, s)
		}
		return nil
	}, 5000, 700, 3, now)
	if err != nil {
		t.Fatal(err)
	}
	each := func(fn func(*herald.Subscriber) error) error {
		for i := range stored {
			if err := fn(&stored[i]); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := audiencetest.Measure(each, audiencetest.BenchAudience(), now, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Subscribers != 5000 || res.Matched == 0 || res.Matched > 2000 {
		t.Errorf("subscribers %d matched %d: want 5000 and a real, partial audience", res.Subscribers, res.Matched)
	}
	line := res.String()
	for _, k := range []string{"subscribers=5000 ", "count_ms_median=", "scan_ms_median=", "ratio=", "index_build_s=", "index_mb="} {
		if !strings.Contains(line, k) {
			t.Errorf("summary %q lacks %q", line, k)
		}
	}
}

// TestGeneratorIsDeterministic: benchmarks and the load tool compare like
// with like only if a seed always gives the same people.
func TestGeneratorIsDeterministic(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a, b := audiencetest.Subscribers(200, 9, now), audiencetest.Subscribers(200, 9, now)
	for i := range a {
		if a[i].ID != b[i].ID || !a[i].LastInteraction.Equal(b[i].LastInteraction) || strings.Join(a[i].Tags, ",") != strings.Join(b[i].Tags, ",") {
			t.Fatalf("subscriber %d differs between two runs with one seed", i)
		}
		if err := a[i].Validate(); err != nil {
			t.Fatalf("subscriber %d is invalid: %v", i, err)
		}
	}
}
