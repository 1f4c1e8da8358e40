package main

// `herald bench dispatch`: end-to-end delivery throughput through the real
// engine, senders and storage against the platform fakes on loopback,
// compared with a bare HTTP loop against the same fakes in the same run.
// The fakes, their recorder and the raw loop live in this process; the
// dispatcher runs in a child process (this binary with -child) so its peak
// RSS is the dispatcher's own, not the fakes' records of a million messages.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// benchDispatchOpts are the command line of bench dispatch.
type benchDispatchOpts struct {
	n         int
	groups    int  // Telegram groups besides the n users (bench_groups.go)
	album     bool // send benchAlbum (two requests each) instead of text
	memLimit  int  // the dispatcher's Config.MemoryLimitMB
	channel   string
	limits    bool
	personal  bool // -personal: a {name} in the text, each person's own message
	workers   int
	child     bool
	db, base  string
	storage   string // -storage: bbolt, postgres or both (bench_storage.go)
	schema    string // the child's PostgreSQL schema
	broadcast string
	rawFor    time.Duration
	profile   string
}

const (
	benchTelegramToken = "424242:bench-token"
	benchLINEToken     = "bench-line-token"
	benchPageToken     = "bench-page-token"
)

func benchDispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o benchDispatchOpts
	fs := flag.NewFlagSet("herald bench dispatch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 10000, "recipients")
	fs.StringVar(&o.channel, "channel", "all", "telegram, line, messenger or all")
	fs.IntVar(&o.groups, "groups", 0, "Telegram groups besides the users (implies -album)")
	fs.BoolVar(&o.album, "album", false, "send an album with a button (two requests per recipient) instead of text")
	fs.BoolVar(&o.personal, "personal", false, "personalise the text with {name}: LINE pushes one request per recipient, Messenger batches each one's own message")
	fs.BoolVar(&o.limits, "limits", false, "apply the default platform rate limits (Telegram 30/s) and check them")
	fs.IntVar(&o.workers, "workers", 32, "concurrent sends per channel (and raw-loop goroutines)")
	fs.Var(newDurationFlag(&o.rawFor, 3*time.Second), "raw", "how long the raw HTTP loop runs")
	fs.StringVar(&o.profile, "cpuprofile", "", "write the dispatcher's CPU profile to this file")
	fs.IntVar(&o.memLimit, "memlimit", defaultMemoryLimitMB, "the dispatcher's memory_limit_mb (0: none)")
	fs.BoolVar(&o.child, "child", false, "internal: run the dispatcher half")
	fs.StringVar(&o.storage, "storage", "", "bbolt, postgres or both (postgres needs "+benchPostgresEnv+"; default: both when it is set)")
	fs.StringVar(&o.db, "db", "", "internal: database path")
	fs.StringVar(&o.schema, "schema", "", "internal: PostgreSQL schema")
	fs.StringVar(&o.base, "base", "", "internal: fakes base URL")
	fs.StringVar(&o.broadcast, "broadcast", "", "internal: broadcast ID")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	channels, err := benchChannels(o.channel)
	if err != nil || o.n <= 0 || o.groups < 0 || o.groups > 0 && !slices.Contains(channels, herald.Telegram) {
		fmt.Fprintln(stderr, "herald bench dispatch: -n must be positive, -channel one of telegram, line, messenger, all, and -groups needs telegram")
		return exitUsage
	}
	if o.child {
		return benchDispatchChild(ctx, o, channels, stdout, stderr)
	}
	kinds, err := benchStorages(o.storage)
	if err != nil {
		fmt.Fprintln(stderr, "herald bench dispatch:", err)
		return exitUsage
	}
	if err := benchDispatchEach(ctx, o, channels, kinds, stdout); err != nil {
		fmt.Fprintln(stderr, "herald bench dispatch:", err)
		return exitFail
	}
	return exitOK
}

// content is what the bench broadcasts: text, an album with a button
// (-album, -groups), or text with the recipient's name (-personal).
func (o *benchDispatchOpts) content() herald.Content {
	switch {
	case o.album || o.groups > 0:
		return benchAlbum
	case o.personal:
		return herald.Content{Kind: herald.TextContent, Text: "Herald benchmark: hello, {name}!"}
	}
	return herald.Content{Kind: herald.TextContent, Text: "Herald benchmark: hello!"}
}

func benchChannels(s string) ([]herald.Platform, error) {
	if s == "all" {
		return []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger}, nil
	}
	p, err := herald.ParsePlatform(s)
	return []herald.Platform{p}, err
}

// benchSubscriber is recipient i: channels take turns.
func benchSubscriber(i int, channels []herald.Platform) herald.Subscriber {
	p := channels[i%len(channels)]
	s := herald.Subscriber{Platform: p, Kind: herald.KindUser, Name: "User " + strconv.Itoa(i), State: herald.Subscribed}
	switch p {
	case herald.Telegram:
		s.ID = strconv.Itoa(1_000_000 + i)
	case herald.LINE:
		s.ID = fmt.Sprintf("U%032x", i)
	default:
		s.ID = "psid" + strconv.Itoa(i)
	}
	return s
}

func benchDispatchParent(ctx context.Context, o benchDispatchOpts, channels []herald.Platform, kind string, stdout io.Writer) (benchFigures, error) {
	var fig benchFigures
	fakes := platformtest.NewServer(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fig, err
	}
	srv := &http.Server{Handler: fakes.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { fakes.Close(); _ = srv.Close() }()
	base := "http://" + ln.Addr().String()

	dir, err := os.MkdirTemp("", "herald-bench-dispatch-")
	if err != nil {
		return fig, err
	}
	defer os.RemoveAll(dir)
	db, drop, err := newBenchDB(ctx, kind, dir)
	if err != nil {
		return fig, err
	}
	defer drop()
	start := time.Now()
	bid, err := benchPopulate(ctx, db, o.n, o.groups, o.content(), channels, fakes)
	if err != nil {
		return fig, err
	}
	fmt.Fprintf(stdout, "%s: populated %d subscribers in %s\n", kind, o.n+o.groups, time.Since(start).Round(time.Millisecond))

	// The raw ceiling is measured before and after the dispatch and
	// averaged: the machine is shared, and its load moves during a run.
	rawBefore := benchRaw(ctx, base, channels, o.workers, o.rawFor)
	fakes.Recorder.Reset()
	if o.limits {
		fakes.Telegram.Faults.SetRateLimit(30, time.Second) // an overshoot would show as 429s
	}
	fakes.Telegram.LimitChats(o.groups > 0 || o.album) // so would a chat sent to too often

	exe, err := os.Executable()
	if err != nil {
		return fig, err
	}
	// The child reads the server from the environment: no password on its
	// command line.
	args := []string{"bench", "dispatch", "-child", "-storage", kind, "-db", db.path, "-schema", db.schema, "-base", base, "-broadcast", bid,
		"-n", strconv.Itoa(o.n), "-channel", o.channel, "-workers", strconv.Itoa(o.workers), "-memlimit", strconv.Itoa(o.memLimit)}
	if o.limits {
		args = append(args, "-limits")
	}
	if o.profile != "" {
		args = append(args, "-cpuprofile", o.profile)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return fig, fmt.Errorf("dispatcher: %w", err)
	}
	var res benchChildResult
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		return fig, fmt.Errorf("dispatcher said %q: %w", out.String(), err)
	}
	rep, fig := benchReport(o, channels, fakes, res, kind)
	rawAfter := benchRaw(ctx, base, channels, o.workers, o.rawFor)
	raw := (rawBefore + rawAfter) / 2
	fmt.Fprintf(stdout, "raw ceiling: %.0f requests/s before, %.0f after (%d goroutines, %s each)\n",
		rawBefore, rawAfter, o.workers, o.rawFor)
	return fig, rep(stdout, raw)
}

// benchPopulate stores n users and groups Telegram groups, and a
// broadcast to all of them.
func benchPopulate(ctx context.Context, db benchDB, n, groups int, content herald.Content, channels []herald.Platform, fakes *platformtest.Server) (string, error) {
	st, err := db.open(ctx, storage.Options{})
	if err != nil {
		return "", err
	}
	defer st.Close()
	now := time.Now()
	// Groups first: in the old order of things they held the workers that
	// the users behind them needed.
	if err := benchGroups(st, groups, now); err != nil {
		return "", err
	}
	batch := make([]herald.Subscriber, 0, 10000)
	for i := 0; i < n; i++ {
		s := benchSubscriber(i, channels)
		s.LastInteraction = now
		if s.Platform == herald.Messenger {
			fakes.Messenger.Interacted(s.ID, now)
		}
		batch = append(batch, s)
		if len(batch) == cap(batch) || i == n-1 {
			if err := st.PutSubscribers(batch); err != nil {
				return "", err
			}
			batch = batch[:0]
		}
	}
	b := herald.Broadcast{Name: "bench " + now.Format(time.RFC3339Nano), Status: herald.StatusScheduled,
		Audience: herald.Audience{Channels: channels, Recipients: herald.Users},
		Content:  content,
		Category: herald.Marketing, Schedule: herald.Schedule{Kind: herald.SendNow, At: now}}
	if groups > 0 {
		b.Audience.Recipients = herald.Both
	}
	if err := st.CreateBroadcast(&b); err != nil {
		return "", err
	}
	return b.ID, nil
}

// benchRaw is the ceiling: the same fakes hit by a bare HTTP loop with the
// same concurrency, one minimal valid send per request in the wire format
// the real client uses (Telegram's SDK sends forms, LINE and Messenger
// JSON), for d.
func benchRaw(ctx context.Context, base string, channels []herald.Platform, workers int, d time.Duration) float64 {
	client := benchClient(workers)
	var n atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(deadline) && ctx.Err() == nil; i += workers {
				p := channels[i%len(channels)]
				url, body, hdr := benchRawRequest(base, p, i)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				res, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					n.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

type benchChildResult struct {
	// Started is when the dispatcher started the broadcast; the fakes'
	// first delivery after it is the wait its snapshot costs (first_send_s).
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	PeakRSS int64     `json:"peak_rss_kb"`
	// PeakAnon is the largest anonymous (heap, stacks) resident set seen;
	// the rest of VmHWM is file-backed: the binary's code and the bbolt
	// pages read since storage last trimmed its mapping (storage.Options.TrimEvery).
	PeakAnon int64 `json:"peak_anon_kb"`
	// CPUSeconds is the dispatcher's CPU time (user and system) over the run.
	CPUSeconds float64 `json:"cpu_seconds"`
	Status     string  `json:"status"`
	// OpenSeconds is how long opening the database took (the audience
	// index is rebuilt then).
	OpenSeconds float64 `json:"open_s"`
}

// benchReport reads what the fakes recorded of the dispatch (before the
// second raw loop adds to it) and returns the printer of the results.
func benchReport(o benchDispatchOpts, channels []herald.Platform, fakes *platformtest.Server, res benchChildResult, kind string) (func(io.Writer, float64) error, benchFigures) {
	var pre bytes.Buffer
	rec := fakes.Recorder
	w := &pre
	lost, dups, delivered := 0, 0, 0
	for _, p := range channels {
		want := (o.n + len(channels) - 1 - indexOf(channels, p)) / len(channels)
		if p == herald.Telegram {
			want += o.groups
		}
		got := rec.Recipients(string(p))
		for _, k := range rec.Duplicates(string(p)) {
			dups += k
		}
		delivered += rec.Count(string(p))
		lost += max(0, want-got)
		fmt.Fprintf(w, "%s: %d recipients reached of %d\n", p, got, want)
	}
	rate := float64(o.n+o.groups) / res.Seconds
	firstSend := 0.0
	if first := rec.First(); !first.IsZero() {
		firstSend = first.Sub(res.Started).Seconds()
	}
	// per request for Telegram and Messenger; LINE multicast counts recipients
	fileBacked := "the binary"
	if kind == driverBBolt {
		fileBacked += " and recently read bbolt pages"
	}
	fmt.Fprintf(w, "dispatch on %s: %d recipients in %.2fs (run %s), %d deliveries recorded, dispatcher peak RSS %.1f MB (anonymous %.1f MB, the rest file-backed: %s)\n",
		kind, o.n+o.groups, res.Seconds, res.Status, delivered, float64(res.PeakRSS)/1024, float64(res.PeakAnon)/1024, fileBacked)
	var extra string
	if o.limits {
		maxWin := 0
		for _, n := range rec.MaxPerSecond("telegram", false) {
			maxWin = max(maxWin, n)
		}
		ds := rec.Deliveries("telegram")
		achieved := 0.0
		if len(ds) > 1 {
			first, last := ds[0].At, ds[0].At
			for _, d := range ds {
				first, last = minTime(first, d.At), maxTime(last, d.At)
			}
			achieved = float64(len(ds)-1) / last.Sub(first).Seconds()
		}
		fmt.Fprintf(w, "telegram: %.2f messages/s achieved (%.1f%% of 30), %d answered 429\n",
			achieved, 100*achieved/30, len(rec.Rejected("telegram")))
		extra = fmt.Sprintf(" max_per_s_window=%d limit=%d", maxWin, 30)
	}
	if (o.groups > 0 || o.album) && slices.Contains(channels, herald.Telegram) {
		extra += benchGroupRates(w, rec, o.groups)
	}
	// the requests that delivered: a multicast or a Messenger batch is one
	extraEnd := fmt.Sprintf(" requests=%d", rec.Requests(""))
	fig := benchFigures{rate: rate, peakMB: float64(res.PeakRSS) / 1024, cpuUs: 1e6 * res.CPUSeconds / float64(o.n+o.groups), firstSend: firstSend}
	return func(out io.Writer, raw float64) error {
		_, _ = out.Write(pre.Bytes())
		// The keys up to first_send_s are read by other tools: new ones go after.
		fmt.Fprintf(out, "recipients=%d deliveries_per_s=%.0f raw_per_s=%.0f ratio=%.2f peak_rss_mb=%.1f peak_anon_mb=%.1f duplicates=%d lost=%d%s cpu_us_per_recipient=%.1f first_send_s=%.2f storage=%s open_s=%.2f%s\n",
			o.n+o.groups, rate, raw, rate/raw, fig.peakMB, float64(res.PeakAnon)/1024, dups, lost, extra,
			fig.cpuUs, firstSend, kind, res.OpenSeconds, extraEnd)
		if lost > 0 {
			return fmt.Errorf("%d recipients lost", lost)
		}
		return nil
	}, fig
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func indexOf(ps []herald.Platform, p herald.Platform) int {
	for i, q := range ps {
		if q == p {
			return i
		}
	}
	return -1
}
