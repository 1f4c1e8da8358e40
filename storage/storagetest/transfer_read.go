package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// Everything reads back, through the Backend API only, all that
// FillEveryKind wrote and what the store derives from it (indexes,
// tallies, timelines, audiences), for two stores to be compared.
func Everything(t testing.TB, s storage.Backend, f Filled) map[string]any {
	t.Helper()
	got := map[string]any{}
	put := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = v
	}
	var subs []herald.Subscriber
	put("subscribers", &subs, s.EachSubscriber(func(sub *herald.Subscriber) error { subs = append(subs, *sub); return nil }))
	moved, err := s.Subscriber(f.Moved)
	put("moved", moved, err)
	got["tags"] = s.Tags()
	all := herald.Audience{Channels: []herald.Platform{herald.LINE, herald.Telegram, herald.Messenger}}
	n, err := s.Count(&all, "", t0)
	put("count", n, err)
	bs, err := s.ListBroadcasts(herald.BroadcastQuery{Steps: true})
	put("broadcasts", bs, err)
	for _, bid := range f.Broadcasts {
		runs, err := s.RunsOf(bid)
		put("runs "+bid, runs, err)
		for _, r := range runs {
			for _, o := range []herald.Outcome{herald.Pending, herald.Sent, herald.Failed, herald.Skipped, herald.Held} {
				ds, err := s.Deliveries(r.ID, o, 0, 0)
				put("deliveries "+r.ID+" "+string(o), ds, err)
			}
			for _, p := range []herald.Platform{herald.LINE, herald.Telegram, herald.Messenger} {
				ds, err := s.PendingDeliveries(r.ID, p, 0, 0)
				put("pending "+r.ID+" "+string(p), ds, err)
			}
			ds, err := s.InFlight(r.ID)
			put("in flight "+r.ID, ds, err)
			tl, err := s.RunTimeline(r.ID)
			put("timeline "+r.ID, tl, err)
			pm, err := s.ProgressMessages().All()
			put("progress messages", pm, err)
			rf, err := s.ReportFollowUps().All()
			put("report follow-ups", rf, err)
		}
		taps, err := s.Taps(bid)
		put("taps "+bid, taps, err)
		clicks, err := s.Clicks(bid)
		put("clicks "+bid, clicks, err)
		reach, err := s.ButtonReach(bid)
		put("reach "+bid, reach, err)
		tl, err := s.ResponseTimeline(bid, t0, time.Minute, 10)
		put("responses "+bid, tl, err)
		for _, button := range f.Buttons {
			who, err := s.Clickers(bid, button)
			put("clickers "+bid+" "+button, who, err)
			rs, err := s.Responders(bid, button)
			put("responders "+bid+" "+button, rs, err)
		}
		cards, err := s.ApprovalCards(bid)
		if err == nil {
			got["cards "+bid] = cards
		}
		log, err := s.AuditLog(bid, 100)
		put("audit "+bid, log, err)
	}
	log, err := s.AuditLog("", 100)
	put("audit", log, err)
	secret, err := s.ClickSecret()
	put("click secret", secret, err)
	for _, k := range f.Sessions {
		v, err := s.Session(k)
		put("session "+k, v, err)
	}
	for _, k := range f.Admins {
		v, err := s.Admin(k)
		put("admin "+k, v, err)
	}
	for _, id := range f.Media {
		ct, data, err := s.Media(id)
		put("media "+id, []any{ct, data}, err)
	}
	qs, err := s.Sequences()
	put("sequences", qs, err)
	due, ok, err := s.NextSequenceDue()
	put("next due", []any{due, ok}, err)
	sr, err := s.SequenceRuns()
	put("sequence runs", sr, err)
	return got
}

// AfterwardsToo does what a store's next writes depend on and returns
// what they answered: a new subscriber's Seq comes after every Seq handed
// out, a taken event and a seen inbound event are known, the notes left
// are applied, the audit log goes on in order.
func AfterwardsToo(t testing.TB, s storage.Backend) map[string]any {
	t.Helper()
	got := map[string]any{}
	sub, err := s.UpdateSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "Unew"}, func(sub *herald.Subscriber, _ bool) error {
		sub.Kind, sub.State = herald.KindUser, herald.Subscribed
		return nil
	})
	got["new Seq"], got["new Seq error"] = sub.Seq, fmt.Sprint(err)
	taken, err := s.TakeEvent("evt-1", t0)
	got["event taken"], got["event error"] = taken, fmt.Sprint(err)
	repeat, err := s.RecordInbound([]string{"line-ev-1"}, []herald.SubscriberKey{{}}, []herald.Tap{{}},
		func(int, *herald.Subscriber, bool) error { return nil })
	got["inbound repeat"], got["inbound error"] = repeat, fmt.Sprint(err)
	n, err := s.ApplySequenceNotes(t0.Add(time.Hour), 100, timing)
	got["notes applied"], got["notes error"] = n, fmt.Sprint(err)
	qs, _ := s.Sequences()
	got["sequences after notes"] = qs
	_ = s.Audit(herald.AuditEntry{At: t0.Add(time.Hour), Actor: "system", Action: "after"})
	log, _ := s.AuditLog("", 100)
	got["audit after"] = log
	return got
}
