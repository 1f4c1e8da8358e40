package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// TestDemoBinaryCreatesAScheduledBroadcast builds the real binary, runs it
// with -demo and a stdin script, and reads the database after it exits.
func TestDemoBinaryCreatesAScheduledBroadcast(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "herald")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfg := filepath.Join(dir, "demo.yaml")
	if err := os.WriteFile(cfg, []byte("storage:\n  path: ./data/demo.db\nhttp:\n  listen: 127.0.0.1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	script := strings.Join([]string{
		"/new",
		"Demo sale",
		"1",       // LINE
		"2",       // Telegram
		"4",       // Done
		"1",       // people
		"tag:vip", // typed targeting
		"done",    // Continue
		"1",       // text
		"Hello {name|friend}, 20% off!",
		"done", // no buttons
		"tm:at",
		at.Format(herald.LocalLayout),
		"op:hold",
		"sum:confirm",
		"/list",
		"/quit",
	}, "\n") + "\n"

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-demo", "-config", cfg)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(script)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	for _, want := range []string{"Herald demo is running", "generated subscribers", "Summary of “Demo sale”", "is scheduled for", "Demo sale · scheduled"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}

	s, err := storage.Open(filepath.Join(dir, "data", "demo.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bs, err := s.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil || len(bs) != 1 {
		t.Fatalf("broadcasts = %v, %v; want one", bs, err)
	}
	b := bs[0]
	if b.Name != "Demo sale" || b.Status != herald.StatusScheduled || b.Schedule.Kind != herald.SendAt || !b.Schedule.At.Equal(at) {
		t.Errorf("stored %q %s %s at %v; want scheduled at %v", b.Name, b.Status, b.Schedule.Kind, b.Schedule.At, at)
	}
	if !slices.Equal(b.Audience.Channels, []herald.Platform{herald.LINE, herald.Telegram}) || !slices.Equal(b.Audience.IncludeTags, []string{"vip"}) ||
		b.Content.Text != "Hello {name|friend}, 20% off!" || b.Origin.Frontend != "console" {
		t.Errorf("stored %+v", b)
	}
	cnt, err := s.Count(&herald.Audience{Channels: herald.Platforms, Recipients: herald.Both}, herald.NonMarketing, time.Now())
	if err != nil || cnt.Total < 2500 {
		t.Errorf("demo audience = %d, %v; want a few thousand", cnt.Total, err)
	}
}
