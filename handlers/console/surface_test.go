package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// A progress message arriving mid-wizard prints its buttons as commands and
// leaves the wizard's numbered choices as they were.
func TestSurfacePrintsProgressWithoutRenumberingTheWizard(t *testing.T) {
	e, _ := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{})
	ctx := context.Background()
	if err := c.Send(ctx, "/new"); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, "Mid-run"); err != nil { // step 2: channels, 1) LINE
		t.Fatal(err)
	}
	s := c.Surface()
	progress := flows.Reply{Text: "📤 Sale (B-1) — sending\n3 / 10", Choices: []flows.Choice{{ID: "/pause B-1", Label: "Pause"}}}
	ref, err := s.Post(ctx, herald.Origin{Frontend: Frontend}, progress)
	if err != nil || ref == "" {
		t.Fatalf("post: %q, %v", ref, err)
	}
	if err := s.Edit(ctx, herald.Origin{Frontend: Frontend}, ref, flows.Reply{Text: "📤 Sale (B-1) — completed\n10 / 10"}); err != nil {
		t.Fatal(err)
	}
	printed := out.String()
	for _, want := range []string{"  │ 📤 Sale (B-1) — sending", "  │ 3 / 10", "type: /pause B-1 (Pause)", "  │ 10 / 10"} {
		if !strings.Contains(printed, want) {
			t.Errorf("console lacks %q:\n%s", want, printed)
		}
	}
	if err := c.Send(ctx, "1"); err != nil { // still the wizard's LINE, not Pause
		t.Fatal(err)
	}
	if !strings.Contains(out.String()[len(printed):], "[x] LINE") {
		t.Errorf("pressing 1 after a progress message did not pick LINE:\n%s", out.String()[len(printed):])
	}
}

// In a terminal a progress message prints once, then its updates rewrite
// one line under it in place (never wider than the terminal, so it never
// wraps); anything else printed ends that line first.
func TestProgressUpdatesRewriteOneLineInATerminal(t *testing.T) {
	e, _ := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{Columns: func() int { return 40 }})
	s := c.Surface()
	ctx := context.Background()
	o := herald.Origin{Frontend: Frontend}
	ref, err := s.Post(ctx, o, flows.Reply{Text: "📤 Sale (B-1) — sending\n3 / 10", Choices: []flows.Choice{{ID: "/pause B-1", Label: "Pause"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"📤 Sale (B-1) — sending\n5 / 10", "📤 Sale (B-1) — completed\n10 / 10 · ✅ 10 sent · ❌ 0 failed"} {
		if err := s.Edit(ctx, o, ref, flows.Reply{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Post(ctx, o, flows.Reply{Text: "📊 Report"}); err != nil {
		t.Fatal(err)
	}
	printed := out.String()
	if n := strings.Count(printed, "📤 Sale (B-1) — sending\n"); n != 1 {
		t.Errorf("the progress block printed %d times; want once, then updates in place:\n%q", n, printed)
	}
	updates := strings.Split(printed, "\r\x1b[K")
	if len(updates) != 3 {
		t.Fatalf("want 2 in-place updates, got %d:\n%q", len(updates)-1, printed)
	}
	first, last := updates[1], strings.SplitN(updates[2], "\n", 2)[0]
	if first != "  │ 📤 Sale (B-1) — sending  5 / 10" {
		t.Errorf("first update = %q", first)
	}
	if !strings.HasPrefix(last, "  │ 📤 Sale (B-1) — completed") || !strings.HasSuffix(last, "…") || columns(last) > 40 {
		t.Errorf("last update = %q (%d columns); want it cut to fit 40", last, columns(last))
	}
	if !strings.Contains(printed, last+"\n\n  │ 📊 Report") {
		t.Errorf("the report does not start on a line of its own:\n%q", printed)
	}
}

func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// The console's own words follow the admin's language.
func TestConsoleWordsFollowTheLanguage(t *testing.T) {
	e, _ := newEngine(t)
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := New(e, &out, Options{Words: func() *locales.Localizer { return cat.Localizer("ja") }})
	if _, err := c.Surface().Post(context.Background(), herald.Origin{Frontend: Frontend}, flows.Reply{Text: "x", Choices: []flows.Choice{{ID: "/show B-1", Label: "表示"}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(context.Background(), "/upload"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"  │ 入力：/show B-1（表示）", "使い方：/upload パス"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("console lacks %q:\n%s", want, out.String())
		}
	}
}

// A send-now's Undo offer, edited once its broadcast started, takes its
// numbers with it: "1" typed next is not a late Undo.
func TestStartedUndoOfferLosesItsNumbers(t *testing.T) {
	e, s := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{})
	ctx := context.Background()
	for _, line := range []string{`/new "Flash" to everyone on line now`, "10"} { // 10) ✅ Confirm
		if err := c.Send(ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	bs, err := s.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil || len(bs) != 1 || !strings.Contains(out.String(), "1) ↩️ Undo") {
		t.Fatalf("no Undo offered for one broadcast (%v):\n%s", err, out.String())
	}
	if err := c.Surface().Edit(ctx, herald.Origin{Frontend: Frontend}, bs[0].ID, flows.Reply{Text: bs[0].ID + " has started sending"}); err != nil {
		t.Fatal(err)
	}
	before := out.Len()
	if err := c.Send(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Broadcast(bs[0].ID); err != nil {
		t.Errorf("\"1\" after the offer closed pressed Undo: %v\n%s", err, out.String()[before:])
	}
}
