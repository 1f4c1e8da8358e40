package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/audiencetest"
	"github.com/heraldbot/herald/storage"
)

// benchAudience is `herald bench audience`: it fills a throw-away bbolt store
// with synthetic subscribers, rebuilds the audience index from it, and
// compares the indexed count with a full scan of the same store in the same
// run. The last line is the machine-readable summary.
func benchAudience(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald bench audience", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1_000_000, "how many synthetic subscribers to generate")
	seed := fs.Uint64("seed", 1, "generator seed (same seed, same subscribers)")
	runs := fs.Int("runs", 51, "indexed counts to time (the median is reported)")
	scans := fs.Int("scans", 3, "full scans of the store to time (the median is reported)")
	dir := fs.String("dir", "", "directory for the database (default: a temp dir, removed after)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *n <= 0 || *runs <= 0 || *scans <= 0 {
		fmt.Fprintln(stderr, "herald bench audience: -n, -runs and -scans must be positive")
		return exitUsage
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "herald-bench-audience-")
		if err != nil {
			fmt.Fprintf(stderr, "herald bench audience: %v\n", err)
			return exitFail
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	if err := runBenchAudience(ctx, *dir, *n, *seed, *runs, *scans, stdout); err != nil {
		fmt.Fprintf(stderr, "herald bench audience: %v\n", err)
		return exitFail
	}
	return exitOK
}

func runBenchAudience(ctx context.Context, dir string, n int, seed uint64, runs, scans int, stdout io.Writer) error {
	now := time.Now().UTC()
	path := filepath.Join(dir, "bench.db")
	quiet := slog.New(slog.DiscardHandler)
	store, err := storage.Open(path, storage.Options{Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	start := time.Now()
	err = audiencetest.Load(func(batch []herald.Subscriber) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return store.PutSubscribers(batch)
	}, n, 10_000, seed, now)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d subscribers into %s in %.1fs\n", n, path, time.Since(start).Seconds())

	// Reopen: Open rebuilds storage's own index from bbolt, as at start.
	start = time.Now()
	store, err = storage.Open(path, storage.Options{Logger: quiet, Now: func() time.Time { return now }})
	if err != nil {
		return fmt.Errorf("reopen %s: %w", path, err)
	}
	defer store.Close()
	a := audiencetest.BenchAudience()
	// The first Count includes storage's own index build when it is lazy.
	if _, err := store.Count(a, herald.Marketing, now); err != nil {
		return fmt.Errorf("store count: %w", err)
	}
	fmt.Fprintf(stdout, "storage.Open and its first Count took %.2fs\n", time.Since(start).Seconds())

	res, err := audiencetest.Measure(func(fn func(*herald.Subscriber) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return store.EachSubscriber(fn)
	}, a, now, runs, scans)
	if err != nil {
		return err
	}
	c, err := store.Count(a, herald.Marketing, now)
	switch {
	case err != nil:
		return fmt.Errorf("store count: %w", err)
	case c.Total != res.Matched:
		return errors.New("storage's index and a fresh index disagree: " + fmt.Sprint(c.Total, " vs ", res.Matched))
	}
	fmt.Fprintf(stdout, "audience: tags promo or vip, not staff, active in 30 days, users on every channel: %d of %d (scan = storage.EachSubscriber + herald.Audience.Matches over bbolt)\n", res.Matched, res.Subscribers)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil && len(strings.Fields(string(load))) >= 3 {
		// Wall-clock figures stretch on a busy machine: say how busy it was.
		fmt.Fprintf(stdout, "machine load average (1, 5, 15 min): %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Fprintln(stdout, res)
	return nil
}
