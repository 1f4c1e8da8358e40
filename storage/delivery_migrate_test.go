package storage

import (
	"path/filepath"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
	bolt "go.etcd.io/bbolt"
)

// seqs lists the Seqs of ds.
func seqs(ds []herald.Delivery) []uint32 {
	out := make([]uint32, len(ds))
	for i, d := range ds {
		out[i] = d.Seq
	}
	return out
}

// A channel pages only its own platform's pending records, while a read
// of every pending record still comes in Seq order across platforms.
func TestPendingDeliveriesReadOnlyTheirPlatform(t *testing.T) {
	s, c := openTest(t)
	r := newRun(t, s)
	var ds []herald.Delivery
	for seq := uint32(1); seq <= 9; seq++ {
		ds = append(ds, pending(1, herald.Platforms[seq%3], seq)...)
	}
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	sent := ds[3] // Seq 4, on Platforms[1]
	sent.Outcome, sent.At = herald.Sent, c.Now()
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{sent}); err != nil {
		t.Fatal(err)
	}

	got, err := s.PendingDeliveries(r.ID, herald.Platforms[1], 0, 0)
	if err != nil || len(got) != 2 || got[0].Seq != 1 || got[1].Seq != 7 {
		t.Errorf("pending on %s = %v, %v; want Seqs 1 and 7 (4 was sent)", herald.Platforms[1], seqs(got), err)
	}
	if got, _ := s.PendingDeliveries(r.ID, herald.Platforms[0], 3, 1); len(got) != 1 || got[0].Seq != 6 {
		t.Errorf("next pending on %s after 3 = %v, want 6", herald.Platforms[0], seqs(got))
	}
	all, _ := s.Deliveries(r.ID, herald.Pending, 2, 4)
	if want := []uint32{3, 5, 6, 7}; len(all) != 4 || all[0].Seq != 3 || all[1].Seq != 5 || all[3].Seq != 7 {
		t.Errorf("pending after 2 = %v, want %v", seqs(all), want)
	}
	// What a channel's page walks is its platform's index, which holds its
	// pending records and nobody else's: it reads no other record.
	key, _ := parseRunID(r.ID)
	if err := s.db.View(func(tx *bolt.Tx) error {
		want := map[herald.Platform]int{herald.Platforms[0]: 3, herald.Platforms[1]: 2, herald.Platforms[2]: 3} // 4 was sent
		for p, w := range want {
			if n := tx.Bucket(bucketDeliveries).Bucket(key).Bucket(pendingIndex(p)).Stats().KeyN; n != w {
				t.Errorf("%s's pending index holds %d records, want its %d", p, n, w)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A run that an older version left unfinished, with one pending index for
// every platform, resumes after the upgrade: each platform's pending
// records are found in their own index, and outcomes move them out of it.
func TestUpgradeSplitsAnUnfinishedRunsPendingIndex(t *testing.T) {
	c := crowd.Clock()
	path := filepath.Join(t.TempDir(), "herald.db")
	old := schemaMigrations()[:2]
	s, err := Open(path, Options{Now: c.Now, migrations: old})
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(t, s)
	ds := append(pending(3, herald.LINE, 1), pending(2, herald.Telegram, 4)...)
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	// Write the pending index as the older version did.
	key, _ := parseRunID(r.ID)
	if err := s.db.Update(func(tx *bolt.Tx) error {
		rb := tx.Bucket(bucketDeliveries).Bucket(key)
		legacy, err := rb.CreateBucket(legacyPending)
		if err != nil {
			return err
		}
		for _, p := range []herald.Platform{herald.LINE, herald.Telegram} {
			if err := rb.Bucket(pendingIndex(p)).ForEach(func(k, _ []byte) error { return legacy.Put(k, present) }); err != nil {
				return err
			}
			if err := rb.DeleteBucket(pendingIndex(p)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	line, _ := s.PendingDeliveries(r.ID, herald.LINE, 0, 0)
	tg, _ := s.PendingDeliveries(r.ID, herald.Telegram, 0, 0)
	if len(line) != 3 || len(tg) != 2 || tg[0].Seq != 4 {
		t.Fatalf("after upgrade: pending on LINE %v, on Telegram %v; want 1-3 and 4-5", seqs(line), seqs(tg))
	}
	done := tg[0]
	done.Outcome, done.At = herald.Sent, c.Now()
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{done}); err != nil {
		t.Fatal(err)
	}
	if left, _ := s.Deliveries(r.ID, herald.Pending, 0, 0); len(left) != 4 || left[3].Seq != 5 {
		t.Errorf("pending after one outcome = %v, want 1, 2, 3, 5", seqs(left))
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketDeliveries).Bucket(key).Bucket(legacyPending) != nil {
			t.Error("the old pending index is still there")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
