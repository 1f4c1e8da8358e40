package telegram_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

const engineToken = "777:migrate-test"

// groupRig is the engine with the real Telegram sender, a real store and
// the Telegram fake over HTTP.
type groupRig struct {
	t     *testing.T
	clock *platformtest.Clock
	st    *storage.Store
	fake  *platformtest.Telegram
	rec   *platformtest.Recorder
	eng   *dispatch.Engine
}

func newGroupRig(t *testing.T, workers int, tune ...func(*telegram.Config)) *groupRig {
	t.Helper()
	c, st := dispatchtest.Open(t)
	rec := platformtest.NewRecorder(c.Now)
	s, fake := dispatchtest.Sender(t, rec, platformtest.NewTelegram, func(url string, hc *http.Client) (*telegram.Sender, error) {
		cfg := telegram.Config{Token: engineToken, BaseURL: url, Client: hc, Moves: st}
		for _, f := range tune {
			f(&cfg)
		}
		return telegram.New(cfg)
	})
	eng := dispatchtest.Engine(t, st, map[herald.Platform]dispatch.Sender{herald.Telegram: s},
		dispatch.Options{Workers: workers, Now: c.Now, Sleep: c.Sleep, Jitter: func() float64 { return 0.5 }, ControlPoll: 50 * time.Millisecond})
	return &groupRig{t: t, clock: c, st: st, fake: fake, rec: rec, eng: eng}
}

func (r *groupRig) groups(subs ...herald.Subscriber) {
	r.t.Helper()
	if err := r.st.PutSubscribers(subs); err != nil {
		r.t.Fatal(err)
	}
}

func group(id int64, tags ...string) herald.Subscriber {
	return herald.Subscriber{Platform: herald.Telegram, ID: strconv.FormatInt(id, 10), Kind: herald.KindGroup,
		Name: "Group " + strconv.FormatInt(id, 10), State: herald.Subscribed, Tags: tags}
}

// broadcast stores a broadcast of text to every Telegram group.
func (r *groupRig) broadcast(text string, status herald.Status) herald.Broadcast {
	r.t.Helper()
	b := herald.Broadcast{Name: text, Status: status,
		Content:  herald.Content{Kind: herald.TextContent, Text: text},
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups},
		Category: herald.Marketing, Schedule: herald.Schedule{Kind: herald.SendNow, At: r.clock.Now()}}
	if err := r.st.CreateBroadcast(&b); err != nil {
		r.t.Fatal(err)
	}
	return b
}

// send broadcasts text to every Telegram group and returns the finished
// run's records.
func (r *groupRig) send(text string) []herald.Delivery {
	r.t.Helper()
	return r.start(r.broadcast(text, herald.StatusScheduled))
}

// start starts (or resumes) b's run and returns its records once it is done.
func (r *groupRig) start(b herald.Broadcast) []herald.Delivery {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run, err := r.eng.Start(ctx, b.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.eng.Wait(ctx); err != nil {
		r.t.Fatal(err)
	}
	if run, err = r.st.Run(run.ID); err != nil || run.Status != herald.RunCompleted {
		r.t.Fatalf("run %s: %s, %v", run.ID, run.Status, err)
	}
	ds, err := r.st.Deliveries(run.ID, "", 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	return ds
}

// texts are the texts chat received, in order.
func (r *groupRig) texts(chat int64) []string {
	var out []string
	for _, m := range r.fake.Sent(chat) {
		out = append(out, m.Text)
	}
	return out
}

func TestMigratedGroupGetsTheBroadcastOnceUnderItsNewID(t *testing.T) {
	r := newGroupRig(t, 4)
	r.groups(group(-4001, "vip"), group(-4002))
	// Herald never saw the migration updates (it was offline).
	r.fake.MigrateGroup(-4001, -1004001)

	ds := r.send("first")
	if got := r.texts(-1004001); len(got) != 1 || got[0] != "first" {
		t.Errorf("the supergroup received %q, want the broadcast once", got)
	}
	if got := r.texts(-4002); len(got) != 1 {
		t.Errorf("the other group received %q", got)
	}
	for _, d := range ds {
		if d.Outcome != herald.Sent || d.MessageID == "" {
			t.Errorf("delivery to %s: %s %q (id %q), want sent", d.Recipient.ID, d.Outcome, d.Reason, d.MessageID)
		}
	}
	if len(ds) != 2 || ds[0].Recipient.ID != "-4001" {
		t.Errorf("run records = %+v, want the migrated group recorded under the run's recipient -4001", ds)
	}
	moved, err := r.st.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "-1004001"})
	if err != nil || !moved.HasTag("vip") || moved.Seq != ds[0].Seq {
		t.Errorf("subscriber under the new ID = %+v, %v; want the old record (tags, seq) moved", moved, err)
	}

	// The next broadcast goes straight to the new ID: no refused request.
	refused := len(r.rec.Rejected("telegram"))
	ds = r.send("second")
	if got := r.texts(-1004001); len(got) != 2 || got[1] != "second" {
		t.Errorf("the supergroup received %q, want both broadcasts once each", got)
	}
	if n := len(r.rec.Rejected("telegram")); n != refused {
		t.Errorf("%d requests refused during the second broadcast, want none", n-refused)
	}
	ids := map[string]bool{}
	for _, d := range ds {
		ids[d.Recipient.ID] = true
	}
	if !ids["-1004001"] || ids["-4001"] {
		t.Errorf("second run's recipients = %v, want the new ID", ids)
	}
}

// A group Herald knows under both IDs (it missed the migration, then
// someone wrote in the supergroup) is one chat: it gets the broadcast
// once, whichever of its records the run reaches first.
func TestGroupKnownUnderBothIDsGetsOneMessage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers int
		order   []herald.Subscriber // storage order is the run's order
	}{
		{"old ID first", 1, []herald.Subscriber{group(-5001, "vip"), group(-1005001)}},
		{"new ID first", 1, []herald.Subscriber{group(-1005001), group(-5001, "vip")}},
		{"concurrent", 4, []herald.Subscriber{group(-5001, "vip"), group(-1005001)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newGroupRig(t, tc.workers)
			r.groups(tc.order...)
			r.fake.MigrateGroup(-5001, -1005001)

			ds := r.send("hello")
			if got := r.texts(-1005001); len(got) != 1 {
				t.Fatalf("the supergroup received %q, want exactly one message", got)
			}
			outcomes := map[string]string{}
			for _, d := range ds {
				outcomes[d.Recipient.ID] = string(d.Outcome) + " " + d.Reason
			}
			if outcomes["-1005001"] != "sent " || outcomes["-5001"] != "skipped "+herald.ReasonDuplicate {
				t.Errorf("outcomes = %v, want the new ID sent and the old one skipped as a duplicate", outcomes)
			}
			sub, err := r.st.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "-5001"})
			if err != nil || sub.ID != "-1005001" || !sub.HasTag("vip") {
				t.Errorf("old ID now finds %+v, %v; want the merged record with the old tags", sub, err)
			}
			if next := r.send("again"); len(next) != 1 {
				t.Errorf("the next broadcast has %d group recipients, want 1", len(next))
			}
		})
	}
}

// A run snapshotted before the group moved (Herald restarted in between,
// and the migration update moved the subscriber meanwhile) still has the
// old ID in its pending record: it is sent straight to the new ID.
func TestPendingRecordUnderTheOldIDGoesStraightToTheNewID(t *testing.T) {
	r := newGroupRig(t, 2)
	r.groups(group(-4001, "vip"))
	old := herald.SubscriberKey{Platform: herald.Telegram, ID: "-4001"}
	sub, err := r.st.Subscriber(old)
	if err != nil {
		t.Fatal(err)
	}
	b := r.broadcast("resumed", herald.StatusSending)
	run := herald.Run{BroadcastID: b.ID, Status: herald.RunSending, StartedAt: r.clock.Now()}
	if err := r.st.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	if err := r.st.AddDeliveries(run.ID, []herald.Delivery{{Seq: sub.Seq, Recipient: old}}); err != nil {
		t.Fatal(err)
	}
	r.fake.MigrateGroup(-4001, -1004001)
	if _, err := r.st.MoveSubscriber(old, herald.SubscriberKey{Platform: herald.Telegram, ID: "-1004001"}); err != nil {
		t.Fatal(err)
	}

	ds := r.start(b)
	if len(ds) != 1 || ds[0].Outcome != herald.Sent || ds[0].Recipient != old {
		t.Errorf("records = %+v, want the old recipient sent", ds)
	}
	if got := r.texts(-1004001); len(got) != 1 || got[0] != "resumed" {
		t.Errorf("the supergroup received %q, want the broadcast once", got)
	}
	if n := len(r.rec.Rejected("telegram")); n != 0 {
		t.Errorf("%d requests refused, want none (straight to the new ID)", n)
	}
}
