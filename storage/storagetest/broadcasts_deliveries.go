package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func outcomesKeepTallyExact(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	r := bcastRun(t, s)
	// 1..2500 on LINE, 2501..3000 on Telegram, in batches like a snapshot.
	for _, batch := range [][]herald.Delivery{bcastPending(1000, herald.LINE, 1), bcastPending(1000, herald.LINE, 1001),
		bcastPending(500, herald.LINE, 2001), bcastPending(500, herald.Telegram, 2501)} {
		if err := s.AddDeliveries(r.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	// A snapshot resumed after a crash re-adds the last batch: no double count.
	if err := s.AddDeliveries(r.ID, bcastPending(500, herald.Telegram, 2501)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Run(r.ID)
	if got.Total != 3000 || got.Tally[herald.LINE].Pending != 2500 || got.Tally[herald.Telegram].Pending != 500 {
		t.Fatalf("after snapshot: Total %d, Tally %+v", got.Total, got.Tally)
	}

	// Send the first 1,200: 1,000 sent, 150 failed, 50 held; record the
	// first batch twice, as dispatch does when a commit's answer is lost.
	var out []herald.Delivery
	for _, d := range bcastPending(1200, herald.LINE, 1) {
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
	s = o.Reopen(t, s, c.Now)
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
		left = append(left, bcastSeqs(ds)...)
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
	none, err := s.Deliveries(r.ID, "", ^uint32(0), 0)
	if len(held) != 50 || len(failed) != 10 || failed[0].Seq != 1101 || len(sent) != 10 || len(all) != 2 || len(none) != 0 || err != nil {
		t.Errorf("pages: held %d, failed %d, sent %d, all %d, after the last %d (%v)", len(held), len(failed), len(sent), len(all), len(none), err)
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

func recordOutcomesRefusesUnknown(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	r := bcastRun(t, s)
	if err := s.AddDeliveries(r.ID, bcastPending(2, herald.LINE, 1)); err != nil {
		t.Fatal(err)
	}
	batch := []herald.Delivery{{Seq: 1, Outcome: herald.Sent}, {Seq: 77, Outcome: herald.Sent}}
	if err := s.RecordOutcomes(r.ID, batch); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if got, _ := s.Run(r.ID); got.Tally[herald.LINE].Sent != 0 {
		t.Errorf("a refused batch was partly counted: %+v", got.Tally)
	}
	if ds, _ := s.Deliveries(r.ID, herald.Sent, 0, 0); len(ds) != 0 {
		t.Errorf("a refused batch was partly written: %v", bcastSeqs(ds))
	}
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{{Seq: 1}}); err == nil {
		t.Error("an outcome record without an outcome was taken")
	}
}

// A batch overlapping the run's records, or naming a Seq twice, adds
// each Seq once: its first record.
func addDeliveriesSkipsKnown(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	r := bcastRun(t, s)
	if err := s.AddDeliveries(r.ID, bcastPending(3, herald.LINE, 5)); err != nil {
		t.Fatal(err)
	}
	batch := append(bcastPending(4, herald.Telegram, 3), bcastPending(2, herald.Messenger, 1)...) // 3..6 (5, 6 known), 1, 2
	batch = append(batch, herald.Delivery{Seq: 9, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "first"}},
		herald.Delivery{Seq: 9, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "second"}})
	if err := s.AddDeliveries(r.ID, batch); err != nil {
		t.Fatal(err)
	}
	all, _ := s.Deliveries(r.ID, "", 0, 0)
	if got := bcastSeqs(all); !cmp.Equal(got, []uint32{1, 2, 3, 4, 5, 6, 7, 9}) {
		t.Fatalf("records: %v", got)
	}
	if all[4].Recipient.Platform != herald.LINE || all[7].Recipient.ID != "first" || all[7].Outcome != herald.Pending {
		t.Errorf("records kept: %+v, %+v", all[4], all[7])
	}
	run, _ := s.Run(r.ID)
	want := map[herald.Platform]herald.Tally{herald.LINE: {Pending: 4}, herald.Telegram: {Pending: 2}, herald.Messenger: {Pending: 2}}
	if run.Total != 8 || !cmp.Equal(run.Tally, want) {
		t.Errorf("Total %d, Tally %+v", run.Total, run.Tally)
	}
	if err := s.AddDeliveries(r.ID, []herald.Delivery{{Seq: 0}}); err == nil {
		t.Error("a record without Seq was taken")
	}
}

func pendingPagesPerPlatform(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	r := bcastRun(t, s)
	var ds []herald.Delivery
	for seq := uint32(1); seq <= 9; seq++ {
		ds = append(ds, bcastPending(1, herald.Platforms[seq%3], seq)...)
	}
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	p := herald.Platforms[1] // Seqs 1, 4, 7
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{{Seq: 4, Outcome: herald.Sent}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PendingDeliveries(r.ID, p, 0, 0); err != nil || !cmp.Equal(bcastSeqs(got), []uint32{1, 7}) {
		t.Errorf("pending on %s = %v, %v", p, bcastSeqs(got), err)
	}
	if got, _ := s.PendingDeliveries(r.ID, herald.Platforms[0], 3, 1); !cmp.Equal(bcastSeqs(got), []uint32{6}) {
		t.Errorf("next pending on %s after 3 = %v", herald.Platforms[0], bcastSeqs(got))
	}
	if got, err := s.PendingDeliveries(r.ID, "nowhere", 0, 0); err != nil || len(got) != 0 {
		t.Errorf("pending on no platform = %v, %v", bcastSeqs(got), err)
	}
}

// Every field of a record comes back as written, the nanosecond too.
func recordsKeepEveryField(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	r := bcastRun(t, s)
	at := time.Date(2026, 3, 1, 9, 1, 2, 345678901, time.UTC)
	d := herald.Delivery{Seq: 4_000_000_000, Recipient: herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "Uabc"},
		Outcome: herald.Pending, NotBefore: at.Add(time.Hour)}
	if err := s.AddDeliveries(r.ID, []herald.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	d.Outcome, d.Reason, d.MessageID, d.Attempts, d.At, d.PartsDone = herald.Failed, "quota", "m-1", 3, at, 2
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{d}); err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, c.Now)
	got, err := s.Deliveries(r.ID, herald.Failed, 0, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("failed = %v, %v", got, err)
	}
	if diff := cmp.Diff(d, got[0]); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

func accountTallies(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	r := bcastRun(t, s)
	ds := bcastPending(4, herald.LINE, 1)
	ds[0].Recipient.Account, ds[1].Recipient.Account = "shop", "shop"
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordOutcomes(r.ID, []herald.Delivery{{Seq: 1, Outcome: herald.Sent}, {Seq: 3, Outcome: herald.Failed}}); err != nil {
		t.Fatal(err)
	}
	run, _ := s.Run(r.ID)
	shop := herald.Account{Platform: herald.LINE, Name: "shop"}.String()
	if run.Tally[herald.LINE] != (herald.Tally{Pending: 2, Sent: 1, Failed: 1}) || run.AccountTally[shop] != (herald.Tally{Pending: 1, Sent: 1}) {
		t.Errorf("tally %+v, accounts %+v", run.Tally, run.AccountTally)
	}
}

// After a crash, the records marked started and given no outcome are
// exactly the uncertain ones; settling them counts them once, on their
// platform, and survives a reopen.
func inFlightLeavesUncertain(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	r := bcastRun(t, s)
	var ds []herald.Delivery
	for seq := uint32(1); seq <= 6; seq++ {
		ds = append(ds, bcastPending(1, herald.Telegram, seq)...)
	}
	if err := s.AddDeliveries(r.ID, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitDeliveries(r.ID, []uint32{1, 2, 3, 4}, nil); err != nil {
		t.Fatal(err)
	}
	sent := ds[0]
	sent.Outcome, sent.At = herald.Sent, c.Now()
	// the next chunk's mark commits with the first outcome
	if err := s.CommitDeliveries(r.ID, []uint32{5}, []herald.Delivery{sent}); err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, c.Now) // the crash
	got, err := s.InFlight(r.ID)
	if err != nil || len(got) != 4 || got[0].Seq != 2 || got[3].Seq != 5 || got[0].Outcome != herald.Pending {
		t.Fatalf("in flight = %v, %v; want Seqs 2 to 5, pending", bcastSeqs(got), err)
	}
	skip := got[0]
	skip.Outcome, skip.Reason = herald.Skipped, herald.ReasonUncertain
	if err := s.SettleInFlight(r.ID, []herald.Delivery{skip, got[1]}, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SettleInFlight(r.ID, got[2:], false); err != nil { // never sent
		t.Fatal(err)
	}
	s = o.Reopen(t, s, c.Now)
	if got, err := s.InFlight(r.ID); err != nil || len(got) != 0 {
		t.Errorf("in flight after settling = %v, %v; want none", bcastSeqs(got), err)
	}
	run, err := s.Run(r.ID)
	want := herald.Tally{Pending: 4, Sent: 1, Skipped: 1, Uncertain: 2}
	if err != nil || run.Tally[herald.Telegram] != want {
		t.Errorf("tally = %+v, %v; want %+v", run.Tally[herald.Telegram], err, want)
	}
	if p, err := s.PendingDeliveries(r.ID, herald.Telegram, 0, 0); err != nil || len(p) != 4 {
		t.Errorf("pending = %v, %v; want 3, 4, 5, 6 to send", bcastSeqs(p), err)
	}
}
