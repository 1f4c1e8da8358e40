package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// TestDemoBinarySchedulesAndSendsBroadcasts builds the real binary, runs it
// with -demo and a stdin script typed as a person would (waiting for the
// report before quitting), and reads the database after it exits: one
// broadcast is scheduled for later, one "send now" is delivered through the
// real senders to the demo's platform fakes.
func TestDemoBinarySchedulesAndSendsBroadcasts(t *testing.T) {
	dir, bin := buildBot(t)
	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	wizard := func(name, timing string, more ...string) []string {
		return append([]string{
			"/new", name,
			"1", "2", "4", // LINE, Telegram, Done
			"1", "tag:vip", "done", // people with the tag vip
			"1", "Hello {name|friend}, 20% off!", "done", // text, no buttons
			timing}, append(more, "sum:confirm")...)
	}
	scheduled := wizard("Demo sale", "tm:at", at.Format(herald.LocalLayout))
	sendNow := wizard("Flash sale", "tm:now")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-demo", "-demo-undo", "1s", "-listen", "127.0.0.1:0")
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	cmd.Stderr = &errb
	out := newTranscript(stdout)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type_ := func(lines []string) {
		if _, err := io.WriteString(stdin, strings.Join(lines, "\n")+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	type_(append(scheduled, sendNow...))
	report := out.waitFor(ctx, "📊 Report: Flash sale")
	type_([]string{"/list", "/quit"})
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil || !report {
		t.Fatalf("demo: %v (report seen: %v)\nstdout:\n%s\nstderr:\n%s", err, report, out.String(), errb.String())
	}
	transcript := out.String()
	for _, want := range []string{"Herald demo is running", "generated subscribers", "Summary of “Demo sale”", "is scheduled for",
		"Demo sale · scheduled", "Flash sale · completed", "curl -s http://127.0.0.1:"} {
		if !strings.Contains(transcript, want) {
			t.Errorf("demo output lacks %q:\n%s", want, transcript)
		}
	}
	// The audience the wizard confirmed is what the report says was sent.
	shown := counts(t, regexp.MustCompile(`goes out to ([\d,]+) recipients`), transcript)
	reportText := transcript[strings.Index(transcript, "📊 Report: Flash sale"):]
	reportText, _, _ = strings.Cut(reportText, "⏱")
	sent := counts(t, regexp.MustCompile(`(?:LINE|Telegram|Messenger): ✅ ([\d,]+) sent`), reportText)
	if len(shown) != 1 || shown[0] == 0 || len(sent) != 2 || sent[0]+sent[1] != shown[0] {
		t.Errorf("wizard showed audiences %v, report sent %v per channel; want it sent in full:\n%s", shown, sent, reportText)
	}

	s, err := storage.Open(filepath.Join(dir, "data", "demo.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bs, err := s.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil || len(bs) != 2 {
		t.Fatalf("broadcasts = %v, %v; want two", bs, err)
	}
	byName := map[string]herald.Broadcast{}
	for _, b := range bs {
		byName[b.Name] = b
	}
	b := byName["Demo sale"]
	if b.Status != herald.StatusScheduled || b.Schedule.Kind != herald.SendAt || !b.Schedule.At.Equal(at) {
		t.Errorf("stored %q %s %s at %v; want scheduled at %v", b.Name, b.Status, b.Schedule.Kind, b.Schedule.At, at)
	}
	if !slices.Equal(b.Audience.Channels, []herald.Platform{herald.LINE, herald.Telegram}) || !slices.Equal(b.Audience.IncludeTags, []string{"vip"}) ||
		b.Content.Text != "Hello {name|friend}, 20% off!" || b.Origin.Frontend != "console" {
		t.Errorf("stored %+v", b)
	}
	now := byName["Flash sale"]
	runs, err := s.RunsOf(now.ID)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs of the sent broadcast = %v, %v; want one", runs, err)
	}
	var tally herald.Tally
	for _, tl := range runs[0].Tally {
		tally = tally.Add(tl)
	}
	if now.Status != herald.StatusCompleted || runs[0].Status != herald.RunCompleted || tally.Sent != shown[0] || tally.Failed+tally.Skipped+tally.Pending != 0 {
		t.Errorf("sent broadcast %s, run %s with tally %+v; want completed with %d sent", now.Status, runs[0].Status, tally, shown[0])
	}
}

func counts(t *testing.T, re *regexp.Regexp, s string) []int {
	t.Helper()
	var out []int
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// transcript collects a process's output as it comes, so a test can wait
// for a line instead of sleeping.
type transcript struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
	done    chan struct{}
}

func newTranscript(r io.Reader) *transcript {
	tr := &transcript{changed: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(tr.done)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			tr.mu.Lock()
			tr.b.WriteString(line)
			tr.mu.Unlock()
			select {
			case tr.changed <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return tr
}

func (tr *transcript) String() string {
	<-tr.done
	return tr.snapshot()
}

func (tr *transcript) snapshot() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.b.String()
}

// waitFor reports whether want appeared before ctx ended or output closed.
func (tr *transcript) waitFor(ctx context.Context, want string) bool {
	for {
		if strings.Contains(tr.snapshot(), want) {
			return true
		}
		select {
		case <-tr.changed:
		case <-tr.done:
			return strings.Contains(tr.snapshot(), want)
		case <-ctx.Done():
			return false
		}
	}
}

// runDemo runs the demo in a temporary directory with the console input
// typed, after the config at args (-config FILE) if any, and returns what
// it printed.
func runDemo(t *testing.T, input string, args ...string) string {
	t.Helper()
	t.Chdir(t.TempDir())
	var out, errb bytes.Buffer
	if code := run(t.Context(), append([]string{"-demo", "-listen", "127.0.0.1:0"}, args...), strings.NewReader(input), &out, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	return out.String()
}

// buildBot builds the bot into a new temporary folder (skipped with
// -short: building takes a while), for the tests that run the binary.
func buildBot(t *testing.T) (dir, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir, bin
}
