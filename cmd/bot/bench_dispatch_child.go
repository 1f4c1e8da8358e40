package main

// The dispatcher half of `herald bench dispatch` (run as a child process).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/messenger"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/storage"
)

// benchDispatchChild opens the database, dispatches the broadcast through
// the real senders and prints one JSON line: elapsed seconds and VmHWM.
func benchDispatchChild(ctx context.Context, o benchDispatchOpts, channels []herald.Platform, stdout, stderr io.Writer) int {
	setMemoryLimit(o.memLimit) // as the bot does
	opened := time.Now()
	st, err := benchDB{kind: o.storage, path: o.db, schema: o.schema}.open(ctx, storage.Options{})
	openS := benchSince(opened)
	if err != nil {
		fmt.Fprintln(stderr, "bench child:", err)
		return exitFail
	}
	defer st.Close()
	client := benchClient(o.workers)
	senders, err := benchSenders(o.base, client)
	if err != nil {
		fmt.Fprintln(stderr, "bench child:", err)
		return exitFail
	}
	// Metrics hear the engine as in the bot (wire.go): their cost is on
	// the path measured.
	opts := dispatch.Options{Workers: o.workers, CommitBatch: 1000, FailureThreshold: -1, Observer: metrics.New()}
	if !o.limits {
		opts.Limits = dispatch.Limits{Off: true, Headroom: 1}
	}
	eng := dispatch.New(st, senders, opts)
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	anon := benchSampleAnon(ctx)
	cpu0 := benchCPU()
	start := time.Now()
	if _, err := eng.Start(ctx, o.broadcast); err != nil {
		fmt.Fprintln(stderr, "bench child:", err)
		return exitFail
	}
	if err := eng.Wait(ctx); err != nil {
		fmt.Fprintln(stderr, "bench child:", err)
		return exitFail
	}
	elapsed := time.Since(start)
	cpu := benchCPU() - cpu0
	runs, err := st.RunsOf(o.broadcast)
	status := "unknown"
	if err == nil && len(runs) > 0 {
		status = string(runs[len(runs)-1].Status)
	}
	if f := os.Getenv("HERALD_BENCH_HEAPPROFILE"); f != "" {
		if w, err := os.Create(f); err == nil {
			_ = pprof.WriteHeapProfile(w)
			_ = w.Close()
		}
	}
	if os.Getenv("HERALD_BENCH_MEM") != "" {
		b, _ := os.ReadFile("/proc/self/status")
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "Rss") || strings.HasPrefix(l, "VmHWM") {
				fmt.Fprintln(stderr, l)
			}
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(stderr, "heap sys %d MB, heap inuse %d MB, total alloc %d MB\n", ms.HeapSys>>20, ms.HeapInuse>>20, ms.TotalAlloc>>20)
	}
	out, _ := json.Marshal(benchChildResult{Started: start, Seconds: elapsed.Seconds(), PeakRSS: procStatus("VmHWM"),
		PeakAnon: anon(), CPUSeconds: cpu.Seconds(), Status: status, OpenSeconds: openS})
	fmt.Fprintln(stdout, string(out))
	return exitOK
}

// benchSampleAnon samples RssAnon every 50 ms; the returned func stops
// it and returns the peak.
func benchSampleAnon(ctx context.Context) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if n := procStatus("RssAnon"); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-t.C:
			case <-stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() int64 { close(stop); <-done; return peak.Load() }
}

// benchCPU is the CPU time (user and system) this process has used, from
// /proc/self/stat (Linux; 0 elsewhere): per recipient, it is the
// dispatcher's own cost, which the load of a shared machine moves far less
// than the elapsed time.
func benchCPU() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	i := strings.LastIndexByte(string(b), ')')
	if err != nil || i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:])) // from field 3, state
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * (time.Second / 100) // USER_HZ
}

// procStatus reads a kB figure of /proc/self/status (Linux), e.g. VmHWM.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// benchSenders builds the three real senders against the fakes.
func benchSenders(base string, client *http.Client) (map[herald.Platform]dispatch.Sender, error) {
	tg, err := telegram.New(telegram.Config{Token: benchTelegramToken, BaseURL: base + "/telegram", Client: client})
	if err != nil {
		return nil, err
	}
	ln, err := line.New(line.Config{Token: benchLINEToken, BaseURL: base + "/line", Client: client})
	if err != nil {
		return nil, err
	}
	ms, err := messenger.New(messenger.Config{PageToken: benchPageToken, BaseURL: base + "/messenger", Client: client})
	if err != nil {
		return nil, err
	}
	return map[herald.Platform]dispatch.Sender{herald.Telegram: tg, herald.LINE: ln, herald.Messenger: ms}, nil
}
