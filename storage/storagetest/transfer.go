package storagetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// Filled names what FillEveryKind wrote, for Everything to read back.
type Filled struct {
	Broadcasts []string
	Sessions   []string
	Admins     []string
	Media      []string
	Moved      herald.SubscriberKey // a key that moved away
	Buttons    []string
}

// FillEveryKind writes, through the Backend API, at least one record of
// every kind a store keeps (see storage.Kinds): subscribers with tags,
// attributes, accounts, a move and an erasure; broadcasts, runs and their
// records with every outcome, parts done and in-flight marks; inbound
// events, taps, clicks, the click secret; the admin side; sequences with
// people waiting and in a step run, notes and API events. Its clock is t0.
func FillEveryKind(t *testing.T, s storage.Backend) Filled {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var f Filled
	// Sequences first: the changes below then write sequence notes.
	q := twoSteps("Welcome")
	must(s.CreateSequence(&q))
	tq := tagSeq("VIP drip", "vip")
	must(s.CreateSequence(&tq))

	subs := []herald.Subscriber{crowd.Person(herald.LINE, 1, "vip", "tw"), crowd.Person(herald.LINE, 2), crowd.Person(herald.Telegram, 3, "news"),
		crowd.Person(herald.Messenger, 4), crowd.Person(herald.LINE, 5), group("-100", "Fans", "news")}
	subs[1].Attributes = map[string]string{"plan": "gold", "城市": "台北"}
	subs[4].Account = "shop"
	subs[3].State = herald.Unsubscribed
	must(s.PutSubscribers(subs))
	must(s.DeleteSubscriber(subs[0].Key())) // its Seq is never handed out again
	f.Moved = subs[5].Key()
	to := f.Moved
	to.ID = "-1001"
	_, err := s.MoveSubscriber(f.Moved, to)
	must(err)
	_, err = s.UpdateSubscriber(subs[1].Key(), func(sub *herald.Subscriber, _ bool) error {
		sub.Tags = herald.NormalizeTags(append(sub.Tags, "vip")) // a note for the tag sequence
		return nil
	})
	must(err)
	seqs := map[herald.SubscriberKey]uint32{}
	must(s.EachSubscriber(func(sub *herald.Subscriber) error { seqs[sub.Key()] = sub.Seq; return nil }))

	// People in sequences: two in the first step's run, one waiting.
	for i, k := range []herald.SubscriberKey{subs[1].Key(), subs[2].Key(), subs[4].Key()} {
		_, err := s.EnrollMatching(herald.TriggerEvent, "go", seqs[k], t0.Add(time.Duration(i)*time.Minute), timing)
		must(err)
	}
	_, _, err = s.HandOutSteps(t0.Add(time.Minute), 2, timing)
	must(err)
	_, err = s.TakeEvent("evt-1", t0)
	must(err)

	// A broadcast with a run whose records have every outcome.
	b := bcastNew(t, s, "Spring sale")
	f.Broadcasts = append(f.Broadcasts, b.ID, q.Steps[0].BroadcastID, q.Steps[1].BroadcastID, tq.Steps[0].BroadcastID)
	r := herald.Run{BroadcastID: b.ID, Status: herald.RunSnapshotting}
	must(s.CreateRun(&r))
	var ds []herald.Delivery
	for k, seq := range seqs {
		ds = append(ds, herald.Delivery{Seq: seq, Recipient: k, Outcome: herald.Pending})
	}
	slices.SortFunc(ds, func(a, b herald.Delivery) int { return cmp.Compare(a.Seq, b.Seq) })
	must(s.AddDeliveries(r.ID, ds))
	out := []herald.Delivery{ds[0], ds[1], ds[2]}
	out[0].Outcome, out[0].At, out[0].MessageID, out[0].Attempts = herald.Sent, t0.Add(90*time.Second), "m-1", 1
	out[1].Outcome, out[1].At, out[1].Reason = herald.Failed, t0.Add(2*time.Minute), "blocked"
	out[2].Outcome, out[2].Reason = herald.Skipped, "unsubscribed"
	must(s.CommitDeliveries(r.ID, []uint32{ds[0].Seq, ds[1].Seq, ds[3].Seq}, out))
	parts := ds[4]
	parts.PartsDone, parts.Attempts, parts.NotBefore = 1, 2, t0.Add(time.Hour)
	must(s.CommitDeliveries(r.ID, nil, []herald.Delivery{parts}))
	_, err = s.UpdateRun(r.ID, func(r *herald.Run) error { r.Status = herald.RunSending; return nil })
	must(err)

	// What comes back.
	f.Buttons = []string{"b1", "l1"}
	tap := herald.Tap{BroadcastID: b.ID, ButtonID: "b1", Subscriber: subs[2].Key(), At: t0.Add(3 * time.Minute)}
	_, err = s.RecordInbound([]string{"line-ev-1", "tg-ev-2"}, []herald.SubscriberKey{subs[1].Key(), {}},
		[]herald.Tap{{}, tap}, func(int, *herald.Subscriber, bool) error { return nil })
	must(err)
	must(s.RecordTaps([]herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: subs[1].Key()}}))
	must(s.RecordClicks([]herald.Click{{BroadcastID: b.ID, ButtonID: "l1", Seq: seqs[subs[4].Key()], At: t0.Add(4 * time.Minute)},
		{BroadcastID: b.ID, ButtonID: "l1", Seq: seqs[subs[4].Key()]}}))
	_, err = s.ClickSecret()
	must(err)

	// The admin side.
	f.Sessions, f.Admins = []string{"slack:C1:U1"}, []string{"telegram:42"}
	must(s.PutSession(f.Sessions[0], []byte(`{"step":"name"}`)))
	must(s.SaveAdmin(herald.Admin{Key: f.Admins[0], Name: "Mei", Locale: "zh-TW", Timezone: "Asia/Taipei"}))
	must(s.Audit(herald.AuditEntry{At: t0, Actor: "slack:U1", Action: "broadcast.create", Target: b.ID}))
	must(s.Audit(herald.AuditEntry{At: t0.Add(time.Second), Actor: "system", Action: "config.reload"}))
	must(s.PutApprovalCards(b.ID, []byte("cards")))
	must(s.ProgressMessages().Put(r.ID, []byte("progress")))
	must(s.ReportFollowUps().Put(r.ID, []byte("report")))
	id, err := s.PutMedia("image/png", []byte{0x89, 'P', 'N', 'G', 0, 1, 2})
	must(err)
	f.Media = []string{id}
	return f
}

// FillNow is the clock of the stores FillEveryKind fills (t0), so that
// two of them answer alike.
func FillNow() time.Time { return t0 }

// FillFile is FillEveryKind on a new bbolt file at path, closed after.
func FillFile(t *testing.T, path string) Filled {
	t.Helper()
	s, err := storage.Open(path, storage.Options{Now: FillNow})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return FillEveryKind(t, s)
}
