package inboundrig

import (
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/storage"
)

// Restart stops the Inbox and closes the database as a stopping bot does,
// then opens the same file again under a new Inbox and new metrics: what a
// platform redelivers after a restart meets what was recorded before it.
// Build the handler under test again over the Rig it returns.
func (r Rig) Restart(t testing.TB) Rig {
	t.Helper()
	if err := r.Inbox.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := r.Store.Path()
	if err := r.Store.Close(); err != nil {
		t.Fatal(err)
	}
	store, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	m := metrics.New()
	in := inbound.New(store, inbound.Options{Metrics: m})
	t.Cleanup(func() { _ = in.Close(context.Background()) })
	return Rig{Store: store, Inbox: in, Metrics: m}
}

// Poll stores a sent broadcast with one action button, "yes", that tags
// whoever taps it "said-yes": a tap's effects are then countable.
func (r Rig) Poll(t testing.TB) herald.Broadcast {
	t.Helper()
	b := herald.Broadcast{Name: "Poll", Status: herald.StatusCompleted, Content: herald.Content{Kind: herald.TextContent, Text: "?",
		Buttons: []herald.Button{{ID: "yes", Label: "Yes", Kind: herald.ActionButton, AddTags: []string{"said-yes"}}}}}
	if err := r.Store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// Taps is how many taps the broadcast's "yes" button has: every press and
// different people.
func (r Rig) Taps(t testing.TB, broadcastID string) (taps, unique int) {
	t.Helper()
	counts, err := r.Store.Taps(broadcastID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		if c.ButtonID == "yes" {
			return c.Taps, c.Unique
		}
	}
	return 0, 0
}

// Repeats is the platform's herald_inbound_repeats_total on the metrics
// page: events delivered again and not applied twice.
func (r Rig) Repeats(t testing.TB, platform string) int {
	t.Helper()
	re := regexp.MustCompile(`(?m)^herald_inbound_repeats_total\{account="main",platform="` + regexp.QuoteMeta(platform) + `"\} (\d+)$`)
	m := re.FindStringSubmatch(r.Scrape(t))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
