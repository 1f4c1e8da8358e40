package adminchat_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
	"github.com/heraldbot/herald/storage"
)

// Two instances share one database: the Undo offer is posted through one
// (its frontend records it), the run starts on the other, whose Reporter
// had read the kept records before the offer existed. It still edits the
// offer to say the broadcast started, once.
func TestUndoOfferPostedOnAnotherInstanceIsClosed(t *testing.T) {
	poster := adminchat.NewOffers()
	r := newRig(t, func(o *adminchat.Options) {
		o.ProgressMessages = o.Broadcasts.(*storage.Store).ProgressMessages()
		o.Offers = adminchat.NewOffers()
	})
	// The other instance's Reporter, on the same store: its frontend
	// records the offer it posts there.
	other := console.New(nil, io.Discard, console.Options{FilesDir: t.TempDir()})
	if _, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{console.Frontend: other.Surface()},
		Broadcasts: r.store, Admins: r.store, Catalog: r.cat, Offers: poster, ProgressMessages: r.store.ProgressMessages()}); err != nil {
		t.Fatal(err)
	}
	b := r.broadcast("Doors open", herald.Origin{}, nil)
	ctx := context.Background()
	r.rep.Publish(ctx, herald.RunProgress{Progress: r.progress(b, b.ID+"/0", herald.RunSending, 10, herald.Tally{Pending: 10})}) // loads the kept records: none yet
	where := herald.Origin{Frontend: console.Frontend, ChatID: "console", UserID: "admin"}
	poster.Offered(b.ID, where, "offer-1")

	r.rep.Publish(ctx, herald.RunProgress{Progress: r.progress(b, b.ID+"/1", herald.RunSending, 10, herald.Tally{Sent: 1, Pending: 9})})
	r.rep.Publish(ctx, herald.RunProgress{Progress: r.progress(b, b.ID+"/1", herald.RunSending, 10, herald.Tally{Sent: 2, Pending: 8})})
	started := 0
	for _, m := range r.shown() {
		if strings.Contains(m, "started sending") || strings.Contains(m, "has started") {
			started++
		}
	}
	if started != 1 {
		t.Fatalf("the offer posted on the other instance was edited %d times, want once; shown: %q", started, r.shown())
	}
}
