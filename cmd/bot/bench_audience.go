package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/audiencetest"
	"github.com/heraldbot/herald/storage"
)

// benchAudience is `herald bench audience`: it fills a throw-away store
// (bbolt, PostgreSQL or each in turn: -storage) with synthetic
// subscribers, rebuilds the audience index from it, and compares the
// indexed count with a full scan of the same store in the same run. Each
// engine's summary is one key=value line; with both, a last line compares
// them.
func benchAudience(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald bench audience", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1_000_000, "how many synthetic subscribers to generate")
	seed := fs.Uint64("seed", 1, "generator seed (same seed, same subscribers)")
	runs := fs.Int("runs", 51, "indexed counts to time (the median is reported)")
	scans := fs.Int("scans", 3, "full scans of the store to time (the median is reported)")
	dir := fs.String("dir", "", "directory for the bbolt database (default: a temp dir, removed after)")
	storageFlag := fs.String("storage", "", "bbolt, postgres or both (postgres needs "+benchPostgresEnv+"; default: both when it is set)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *n <= 0 || *runs <= 0 || *scans <= 0 {
		fmt.Fprintln(stderr, "herald bench audience: -n, -runs and -scans must be positive")
		return exitUsage
	}
	kinds, err := benchStorages(*storageFlag)
	if err != nil {
		fmt.Fprintln(stderr, "herald bench audience:", err)
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
	figs := map[string]benchAudienceFigures{}
	for _, kind := range kinds {
		fig, err := runBenchAudience(ctx, kind, *dir, *n, *seed, *runs, *scans, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "herald bench audience: %s: %v\n", kind, err)
			return exitFail
		}
		figs[kind] = fig
	}
	if len(kinds) > 1 {
		b, p := figs[driverBBolt], figs[driverPostgres]
		fmt.Fprintf(stdout, "pg/bbolt count_ms_median=%.2f open_s=%.2f index_build_s=%.2f (counts come from the same in-memory index)\n",
			benchRatio(p.countMs, b.countMs), benchRatio(p.openS, b.openS), benchRatio(p.buildS, b.buildS))
	}
	return exitOK
}

// benchAudienceFigures are what the pg/bbolt line compares.
type benchAudienceFigures struct {
	countMs, openS, buildS float64
}

func runBenchAudience(ctx context.Context, kind, dir string, n int, seed uint64, runs, scans int, stdout io.Writer) (benchAudienceFigures, error) {
	var fig benchAudienceFigures
	now := time.Now().UTC()
	quiet := slog.New(slog.DiscardHandler)
	opts := storage.Options{Logger: quiet, Now: func() time.Time { return now }}
	db, drop, err := newBenchDB(ctx, kind, dir)
	if err != nil {
		return fig, err
	}
	defer drop()
	path := db.path
	if kind == driverPostgres {
		path = "schema " + db.schema
	}
	store, err := db.open(ctx, opts)
	if err != nil {
		return fig, fmt.Errorf("open %s: %w", path, err)
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
		return fig, err
	}
	fmt.Fprintf(stdout, "%s: loaded %d subscribers into %s in %.1fs\n", kind, n, path, time.Since(start).Seconds())

	// Reopen: Open rebuilds storage's own index from the database, as at start.
	start = time.Now()
	store, err = db.open(ctx, opts)
	if err != nil {
		return fig, fmt.Errorf("reopen %s: %w", path, err)
	}
	defer store.Close()
	a := audiencetest.BenchAudience()
	// The first Count includes storage's own index build when it is lazy.
	if _, err := store.Count(a, herald.Marketing, now); err != nil {
		return fig, fmt.Errorf("store count: %w", err)
	}
	fig.openS = benchSince(start)
	fmt.Fprintf(stdout, "%s: Open and its first Count took %.2fs\n", kind, fig.openS)

	res, err := audiencetest.Measure(func(fn func(*herald.Subscriber) error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return store.EachSubscriber(fn)
	}, a, now, runs, scans)
	if err != nil {
		return fig, err
	}
	c, err := store.Count(a, herald.Marketing, now)
	switch {
	case err != nil:
		return fig, fmt.Errorf("store count: %w", err)
	case c.Total != res.Matched:
		return fig, errors.New("storage's index and a fresh index disagree: " + fmt.Sprint(c.Total, " vs ", res.Matched))
	}
	// The store's own Count, the path the bot's live counts take.
	storeMs, err := benchStoreCount(store, a, now, runs)
	if err != nil {
		return fig, err
	}
	fig.countMs, fig.buildS = storeMs, res.BuildS
	fmt.Fprintf(stdout, "audience: tags promo or vip, not staff, active in 30 days, users on every channel: %d of %d (scan = EachSubscriber + herald.Audience.Matches over %s)\n", res.Matched, res.Subscribers, kind)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil && len(strings.Fields(string(load))) >= 3 {
		// Wall-clock figures stretch on a busy machine: say how busy it was.
		fmt.Fprintf(stdout, "machine load average (1, 5, 15 min): %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Fprintf(stdout, "%s store_count_ms_median=%.3f open_s=%.2f storage=%s\n", res, storeMs, fig.openS, kind)
	return fig, nil
}

// benchStoreCount is the median of runs store.Count calls, in ms.
func benchStoreCount(store storage.Backend, a *herald.Audience, now time.Time, runs int) (float64, error) {
	ms := make([]float64, 0, runs)
	for range runs {
		start := time.Now()
		if _, err := store.Count(a, herald.Marketing, now); err != nil {
			return 0, fmt.Errorf("store count: %w", err)
		}
		ms = append(ms, float64(time.Since(start).Microseconds())/1000)
	}
	slices.Sort(ms)
	return ms[len(ms)/2], nil
}
