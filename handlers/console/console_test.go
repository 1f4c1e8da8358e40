package console

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/storage"
)

// newEngine is flowsrig's engine: three LINE users, LINE and Telegram
// offered, everyone admitted.
func newEngine(t *testing.T) (*flows.Engine, *storage.Store) {
	t.Helper()
	e, s, _ := flowsrig.New(t, nil)
	return e, s
}

func TestScriptDrivesTheWizardWithNumbersAndUploads(t *testing.T) {
	e, s := newEngine(t)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "ids.csv")
	if err := os.WriteFile(csvPath, []byte("user_id\nU1\nU3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := strings.Join([]string{
		"/new", "Console test",
		"1", "3", // LINE, Done (no group chat stored: people)
		"aud:csv",               // typed choice ID works too
		"/upload " + csvPath,    // the CSV
		"/upload /no/such/file", // a clear complaint, nothing lost
		"done", "1", "Hello from the terminal", "done", "tm:now", "sum:confirm",
	}, "\n")
	var out bytes.Buffer
	c := New(e, &out, Options{Echo: true, FilesDir: dir})
	if err := c.Run(context.Background(), strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"> /new\n",
		"   1) [ ] LINE",
		"   1) [x] LINE",
		"Loaded 2 LINE user IDs",
		"There is no file at /no/such/file. Check the path (a relative path starts in ",
		"👥 2 recipients",
		"goes out to 2 recipients",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
	bs, err := s.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil || len(bs) != 1 || len(bs[0].Audience.Selected) != 2 || bs[0].Status != herald.StatusScheduled {
		t.Fatalf("stored %+v, %v", bs, err)
	}
}

func TestNumbersOutsideTheChoicesAreTyped(t *testing.T) {
	e, _ := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{})
	if err := c.Run(context.Background(), strings.NewReader("/new\n42\n/quit\nnever read\n")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Step 2 · Which channels?") {
		t.Errorf("\"42\" should be taken as the name:\n%s", out.String())
	}
	if strings.Contains(out.String(), "never read") {
		t.Error("/quit did not stop the console")
	}
}

// TestBackAndCancelKeepTheirKeysAndCancelAsks: Back is 0 and Cancel is x
// at every step, whatever else the step offers; Cancel asks before it
// throws away a broadcast with a name.
func TestBackAndCancelKeepTheirKeysAndCancelAsks(t *testing.T) {
	e, s := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{Echo: true})
	script := strings.Join([]string{
		"/new", "Keys",
		"0",      // Back from the channels to the name
		"Keys",   // the name again
		"1", "3", // LINE, Done: the audience menu has other numbers, the same 0 and x
		"x",      // Cancel asks…
		"2",      // …Keep going: the audience again
		"x", "1", // Cancel, Throw it away
	}, "\n")
	if err := c.Run(context.Background(), strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	steps := strings.Split(got, "> ") // steps[i] is what the i-th line got
	for i, want := range map[int][]string{
		2:  {"Step 2", "   0) ⬅️ Back", "   x) ✖️ Cancel"},                                          // after the name
		3:  {"Step 1", "   x) ✖️ Cancel"},                                                           // after 0
		6:  {"Step 3", "   1) 👥 Everyone", "   9) Continue ➡️", "   0) ⬅️ Back", "   x) ✖️ Cancel"}, // after Done
		7:  {"Throw away “Keys”?", "   1) 🗑 Throw it away", "   2) ↩️ Keep going"},
		8:  {"Step 3", "   0) ⬅️ Back"},
		10: {"Canceled “Keys”"},
	} {
		for _, w := range want {
			if i >= len(steps) || !strings.Contains(steps[i], w) {
				t.Errorf("turn %d lacks %q:\n%s", i, w, got)
			}
		}
	}
	if bs, _ := s.ListBroadcasts(herald.BroadcastQuery{}); len(bs) != 0 {
		t.Errorf("Cancel saved %d broadcasts", len(bs))
	}
}

// The console shows the message's formatting in Herald's markup, as its
// admin types it, and /help's syntax examples as written: the same text.
func TestSummaryQuotesTheMessageInMarkupAsTyped(t *testing.T) {
	e, _ := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{})
	link := "<https://shop.example/sale|Winter sale>"
	script := "/help\n" + `/new "Hi *there*, see ` + link + `" to everyone on line at 2099-12-01 09:00`
	if err := c.Run(context.Background(), strings.NewReader(script)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"<https://example.com|link words>", "Hi *there*, see " + link} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\uE000\uE001") {
		t.Errorf("console output shows flows' markup marks:\n%q", got)
	}
}
