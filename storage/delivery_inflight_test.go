package storage

import (
	"testing"

	"github.com/heraldbot/herald"
)

// After a crash, the records marked started and given no outcome are
// exactly the uncertain ones; settling them counts them once, on their
// platform, and survives a reopen.
func TestInFlightMarksLeaveOnlyTheUncertain(t *testing.T) {
	s, c := openTest(t)
	r := newRun(t, s)
	var ds []herald.Delivery
	for seq := uint32(1); seq <= 6; seq++ {
		ds = append(ds, pending(1, herald.Telegram, seq)...)
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
	s = reopen(t, s, c) // the crash
	got, err := s.InFlight(r.ID)
	if err != nil || len(got) != 4 || got[0].Seq != 2 || got[3].Seq != 5 || got[0].Outcome != herald.Pending {
		t.Fatalf("in flight = %v, %v; want Seqs 2 to 5, pending", seqs(got), err)
	}
	skip := got[0]
	skip.Outcome, skip.Reason = herald.Skipped, herald.ReasonUncertain
	if err := s.SettleInFlight(r.ID, []herald.Delivery{skip, got[1]}, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SettleInFlight(r.ID, got[2:], false); err != nil { // never sent
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	if got, err := s.InFlight(r.ID); err != nil || len(got) != 0 {
		t.Errorf("in flight after settling = %v, %v; want none", seqs(got), err)
	}
	run, err := s.Run(r.ID)
	want := herald.Tally{Pending: 4, Sent: 1, Skipped: 1, Uncertain: 2}
	if err != nil || run.Tally[herald.Telegram] != want {
		t.Errorf("tally = %+v, %v; want %+v", run.Tally[herald.Telegram], err, want)
	}
	if p, err := s.PendingDeliveries(r.ID, herald.Telegram, 0, 0); err != nil || len(p) != 4 {
		t.Errorf("pending = %v, %v; want 3, 4, 5, 6 to send", seqs(p), err)
	}
}
