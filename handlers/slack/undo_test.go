package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/platformtest"
)

// TestUndoOfferSaysItStartedOnceTheRunStarts: the "goes out in … Undo"
// message of a send-now is updated when its run starts: it says so, and
// its Undo button is gone. The offer is kept with the progress messages,
// so a restart during the wait (new Offers, new Reporter, same store)
// still updates it; an offer undone is forgotten.
func TestUndoOfferSaysItStartedOnceTheRunStarts(t *testing.T) {
	for _, then := range []string{"same process", "after a restart", "undone"} {
		t.Run(then, func(t *testing.T) {
			offers := adminchat.NewOffers()
			r := newRig(t, func(o *Options, _ *platformtest.Slack) { o.Offers = offers })
			cat, _ := locales.New("en")
			now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
			reporter := func() *adminchat.Reporter {
				rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.h}, Broadcasts: r.store, Admins: r.store,
					ProgressMessages: r.store, Catalog: cat, Offers: offers, Now: func() time.Time { return now }})
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			rep := reporter()
			r.slash(alice, "new")
			thread := r.last("is working with Herald").TS
			r.reply(alice, thread, "Flash sale")
			r.reply(alice, thread, "everyone on line")
			r.reply(alice, thread, "Now or never")
			r.press(alice, r.last("Step 5"), "done")
			r.press(alice, r.last("Step 6"), "tm:now")
			r.press(alice, r.last("Summary of"), "sum:confirm")
			offer := r.last("goes out")
			if !strings.Contains(offer.Blocks, "Undo") {
				t.Fatalf("the send-now message offers no Undo: %s", offer.Blocks)
			}
			bs, _ := r.store.ListBroadcasts(herald.BroadcastQuery{})
			if len(bs) != 1 {
				t.Fatalf("stored %d broadcasts", len(bs))
			}
			switch then {
			case "after a restart":
				offers = adminchat.NewOffers()
				rep = reporter()
			case "undone":
				rep.Publish(context.Background(), herald.BroadcastChanged{Action: "undo", Broadcast: bs[0], Actor: "slack:" + alice})
				rep.Wait()
				if kept, _ := r.store.ProgressMessages(); len(kept) != 0 {
					t.Errorf("kept records %v after Undo, want none", kept)
				}
				return
			}
			rep.Publish(context.Background(), herald.RunProgress{Progress: herald.Progress{BroadcastID: bs[0].ID, RunID: bs[0].ID + "/1",
				Status: herald.RunSending, Total: 3, Channels: map[herald.Platform]herald.Tally{herald.LINE: {Pending: 3}}, StartedAt: now, At: now}})
			rep.Wait()
			m := r.message(offer.TS)
			if m.Updates != 1 || !strings.Contains(m.Blocks, "has started sending; it can no longer be undone") || strings.Contains(m.Blocks, `"type":"actions"`) {
				t.Fatalf("the undo offer was not updated to say it started, without buttons: updates=%d %s", m.Updates, m.Blocks)
			}
			if kept, _ := r.store.ProgressMessages(); len(kept) != 1 {
				t.Errorf("kept records %v, want only the run's progress message (the offer is closed)", kept)
			}
		})
	}
}
