package storage

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func pending(n int, p herald.Platform, from uint32) []herald.Delivery {
	ds := make([]herald.Delivery, n)
	for i := range ds {
		seq := from + uint32(i)
		ds[i] = herald.Delivery{Seq: seq, Recipient: herald.SubscriberKey{Platform: p, ID: "U" + string(rune('a'+seq%26))}, Outcome: herald.Pending}
	}
	return ds
}

func newRun(t *testing.T, s *Store) herald.Run {
	t.Helper()
	b := newBroadcast(t, s, "run test")
	r := herald.Run{BroadcastID: b.ID, Status: herald.RunSnapshotting}
	if err := s.CreateRun(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCreateRunNumbersRunsAndCountsThem(t *testing.T) {
	s, c := openTest(t)
	b := newBroadcast(t, s, "weekly")
	for n := 1; n <= 3; n++ {
		r := herald.Run{BroadcastID: b.ID}
		if err := s.CreateRun(&r); err != nil {
			t.Fatal(err)
		}
		if want := b.ID + "/" + string(rune('0'+n)); r.ID != want || r.N != n || !r.StartedAt.Equal(c.Now()) {
			t.Errorf("run %d: %+v", n, r)
		}
	}
	if got, _ := s.Broadcast(b.ID); got.Runs != 3 {
		t.Errorf("broadcast Runs = %d, want 3", got.Runs)
	}
	runs, err := s.RunsOf(b.ID)
	if err != nil || len(runs) != 3 || runs[0].N != 1 || runs[2].N != 3 {
		t.Fatalf("RunsOf = %+v, %v", runs, err)
	}
	got, err := s.UpdateRun(runs[1].ID, func(r *herald.Run) error {
		r.Status = herald.RunPaused
		r.PauseReason = "too many failures"
		r.Total = 99
		return nil
	})
	if err != nil || got.Status != herald.RunPaused || got.Total != 0 {
		t.Fatalf("UpdateRun = %+v, %v (Total follows the records, not fn)", got, err)
	}
	if again, _ := s.Run(runs[1].ID); !cmp.Equal(again, got) {
		t.Errorf("Run after update = %+v", again)
	}
}

func TestOutcomesKeepTallyExactAcrossRetriesAndReopen(t *testing.T) {
	s, c := openTest(t)
	r := newRun(t, s)
	// 1..2500 on LINE, 2501..3000 on Telegram, in batches like a snapshot.
	for _, batch := range [][]herald.Delivery{pending(1000, herald.LINE, 1), pending(1000, herald.LINE, 1001),
		pending(500, herald.LINE, 2001), pending(500, herald.Telegram, 2501)} {
		if err := s.AddDeliveries(r.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	// A snapshot resumed after a crash re-adds the last batch: no double count.
	if err := s.AddDeliveries(r.ID, pending(500, herald.Telegram, 2501)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Run(r.ID)
	if got.Total != 3000 || got.Tally[herald.LINE].Pending != 2500 || got.Tally[herald.Telegram].Pending != 500 {
		t.Fatalf("after snapshot: Total %d, Tally %+v", got.Total, got.Tally)
	}

	// Send the first 1,200: 1,000 sent, 150 failed, 50 held; record the
	// first batch twice, as dispatch does when a commit's answer is lost.
	var out []herald.Delivery
	for _, d := range pending(1200, herald.LINE, 1) {
		switch {
		case d.Seq <= 1000:
			d.Outcome, d.MessageID = herald.Sent, "m"
		case d.Seq <= 1150:
			d.Outcome, d.Reason = herald.Failed, herald.ReasonBlocked
		default:
			d.Outcome, d.Reason = herald.Held, herald.ReasonOperatorChat
		}
		d.Attempts, d.At = 1, c.Now()
		d.Recipient.ID = "ignored: the snapshot's recipient stays"
		out = append(out, d)
	}
	for _, batch := range [][]herald.Delivery{out[:500], out[:500], out[500:]} {
		if err := s.RecordOutcomes(r.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	want := map[herald.Platform]herald.Tally{
		herald.LINE:     {Pending: 1300, Sent: 1000, Failed: 150},
		herald.Telegram: {Pending: 500},
	}
	s = reopen(t, s, c)
	got, _ = s.Run(r.ID)
	if diff := cmp.Diff(want, got.Tally); diff != "" {
		t.Errorf("tally after reopen (-want +got):\n%s", diff)
	}

	// After a crash dispatch resumes with exactly the unrecorded ones.
	var left []uint32
	for after := uint32(0); ; {
		ds, err := s.Deliveries(r.ID, herald.Pending, after, 333)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			left = append(left, d.Seq)
		}
		if len(ds) < 333 {
			break
		}
		after = ds[len(ds)-1].Seq
	}
	if len(left) != 1800 || left[0] != 1201 || left[len(left)-1] != 3000 {
		t.Errorf("pending after resume: %d records, %v…%v", len(left), left[:1], left[len(left)-1:])
	}
	held, _ := s.Deliveries(r.ID, herald.Held, 0, 0)
	failed, _ := s.Deliveries(r.ID, herald.Failed, 1100, 10)
	sent, _ := s.Deliveries(r.ID, herald.Sent, 990, 0)
	all, _ := s.Deliveries(r.ID, "", 2998, 0)
	if len(held) != 50 || len(failed) != 10 || failed[0].Seq != 1101 || len(sent) != 10 || len(all) != 2 {
		t.Errorf("pages: held %d, failed %d, sent %d, all %d", len(held), len(failed), len(sent), len(all))
	}
	if f := failed[0]; f.Reason != herald.ReasonBlocked || f.Recipient.Platform != herald.LINE || f.Recipient.ID == "ignored: the snapshot's recipient stays" || f.Attempts != 1 {
		t.Errorf("failed record: %+v", f)
	}

	// Releasing the held ones moves them out of no column into sent.
	for i := range held {
		held[i].Outcome = herald.Sent
	}
	if err := s.RecordOutcomes(r.ID, held); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Run(r.ID)
	if got.Tally[herald.LINE].Sent != 1050 {
		t.Errorf("after release: %+v", got.Tally)
	}
}

func TestRecordOutcomesRefusesUnknownRecipients(t *testing.T) {
	s, _ := openTest(t)
	r := newRun(t, s)
	if err := s.AddDeliveries(r.ID, pending(2, herald.LINE, 1)); err != nil {
		t.Fatal(err)
	}
	batch := []herald.Delivery{{Seq: 1, Outcome: herald.Sent}, {Seq: 77, Outcome: herald.Sent}}
	if err := s.RecordOutcomes(r.ID, batch); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if got, _ := s.Run(r.ID); got.Tally[herald.LINE].Sent != 0 {
		t.Errorf("a refused batch was partly counted: %+v", got.Tally)
	}
}
