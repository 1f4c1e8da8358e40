// Package flowsrig builds a real flows.Engine over a real bbolt store in a
// temp dir, for the tests of the admin side (Telegram, Slack, the console,
// adminchat), and takes a run's report through its day (report.go).
package flowsrig

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/internal/storerig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/storage"
)

// New returns an engine offering LINE and Telegram over a fresh database
// holding three LINE users (no group chat, nobody in an operator chat),
// with access decided by access (nil: everyone); tweaks change the
// engine's config (accounts, say) before it is built.
func New(t testing.TB, access flows.Access, tweaks ...func(*flows.Config)) (*flows.Engine, *storage.Store, *locales.Catalog) {
	t.Helper()
	s, cat := Open(t, time.Now(), "U1", "U2", "U3")
	cfg := flows.Config{Store: s, Catalog: cat, Access: access, Channels: []herald.Platform{herald.LINE, herald.Telegram}}
	for _, f := range tweaks {
		f(&cfg)
	}
	e, err := flows.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e, s, cat
}

// Open is what an engine under test stands on, for tests that configure
// their own: a fresh database holding one subscribed LINE user per ID,
// last seen at seen, and the English catalog.
func Open(t testing.TB, seen time.Time, ids ...string) (*storage.Store, *locales.Catalog) {
	t.Helper()
	s := storerig.Open(t)
	var subs []herald.Subscriber
	for _, id := range ids {
		subs = append(subs, herald.Subscriber{Platform: herald.LINE, ID: id, Kind: herald.KindUser, State: herald.Subscribed, LastInteraction: seen})
	}
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	return s, cat
}

// AddRun stores a run of broadcastID whose recipients ended as ds say
// (Seq, Recipient, Outcome, Reason, Attempts), and returns its ID.
func AddRun(t testing.TB, s *storage.Store, broadcastID string, ds []herald.Delivery) string {
	t.Helper()
	run := herald.Run{BroadcastID: broadcastID, Status: herald.RunSending}
	if err := s.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	pending := make([]herald.Delivery, len(ds))
	for i, d := range ds {
		pending[i] = herald.Delivery{Seq: d.Seq, Recipient: d.Recipient, Outcome: herald.Pending}
	}
	if err := s.AddDeliveries(run.ID, pending); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordOutcomes(run.ID, ds); err != nil {
		t.Fatal(err)
	}
	return run.ID
}
