package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
)

// TestPostgresBotSendsOnceAcrossRestarts runs the wired bot on PostgreSQL
// (storage.driver: postgres) against the platform fakes. An admin
// schedules a broadcast in the Telegram admin group; the scheduler fires
// it; the bot is stopped in the middle of the run and started again on the
// same database, resumes and finishes it: every recipient has the message
// exactly once and the group has the report. A second restart sends
// nothing more. While it runs, a second bot on the database starts as a
// standby (it holds no lease; the first sends), and /healthz and /readyz
// answer from PostgreSQL.
func TestPostgresBotSendsOnceAcrossRestarts(t *testing.T) {
	const group, alice, recipients = int64(-100555), int64(42), 120
	const token = "123456:pg-test"
	fakes, cfg := pgGroupRig(t, token, group, alice)
	cfg.Dispatch.TelegramPerSecond = 60 // two seconds of sending: time to stop in the middle
	tg := fakes.Telegram
	start := time.Now()
	clock := func() time.Time { return start }

	a := startPGLeader(t, cfg, clock)
	ids := make([]string, recipients)
	for i := range ids {
		ids[i] = fmt.Sprint(7000 + i)
	}
	subscribe(t, a.store, herald.Telegram, start, []string{"vip"}, ids...)

	// A second bot on the same database is a standby: it sends nothing.
	standby := startPGApp(t, cfg, clock)
	if code, body := getJSON(t, "http://"+standby.addr+"/healthz"); code != http.StatusOK || fmt.Sprint(body["leases"]) != "[]" || body["instance"] == "" {
		t.Errorf("GET /healthz on the standby: %d %v; want no leases, and its name", code, body)
	}
	if code, body := getJSON(t, "http://"+a.addr+"/healthz"); code != http.StatusOK || fmt.Sprint(body["leases"]) != "[dispatch telegram-poll]" {
		t.Errorf("GET /healthz on the first bot: %d %v; want it to send and poll Telegram", code, body)
	}
	if err := standby.shutdown(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := getJSON(t, "http://"+a.addr+path); code != http.StatusOK {
			t.Errorf("GET %s on PostgreSQL: %d %v", path, code, body)
		}
	}

	at := start.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	g := groupChat(t, tg, token, group)
	g.confirmNew(groupUser(alice, "Alice"), `/new "Doors open at nine" to tag:vip on telegram at `+at.Format(herald.LocalLayout))
	id := broadcastIDIn(waitForMessage(t, tg, group, "scheduled").Text)
	a.parts.sched.Tick(context.Background(), at)
	waitUntil(t, "a quarter of the recipients have the message", func() bool {
		return fakes.Recorder.Recipients("telegram") >= recipients/4
	})
	if err := a.shutdown(); err != nil {
		t.Fatal(err)
	}
	sent := fakes.Recorder.Recipients("telegram")
	if sent >= recipients {
		t.Fatalf("the run was over (%d sent) before the bot stopped", sent)
	}

	// Started again on the same database: the run resumes and finishes.
	a = startPGLeader(t, cfg, clock)
	a.parts.sched.Tick(context.Background(), at)
	waitForMessage(t, tg, group, "Report: Doors open")
	if err := a.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	onceEach := func(when string) {
		t.Helper()
		if d := fakes.Recorder.Duplicates("telegram"); len(d) > 0 {
			t.Errorf("%s: sent twice: %v", when, d)
		}
		for _, id := range ids {
			if got := fakes.Recorder.To("telegram", id); len(got) != 1 || !strings.Contains(got[0].Content, "Doors open at nine") {
				t.Fatalf("%s: subscriber %s got %d messages, want the broadcast once", when, id, len(got))
			}
		}
	}
	onceEach("after the restart in the middle of the run")
	b, err := a.store.Broadcast(id)
	if err != nil || b.Status != herald.StatusCompleted {
		t.Errorf("broadcast %s after its run: %s, %v; want completed", id, b.Status, err)
	}
	if runs, err := a.store.RunsOf(id); err != nil || len(runs) != 1 {
		t.Errorf("broadcast %s has %d runs (%v), want 1", id, len(runs), err)
	}
	if err := a.shutdown(); err != nil {
		t.Fatal(err)
	}

	// A restart after the run: nothing is sent again.
	a = startPGLeader(t, cfg, clock)
	a.parts.sched.Tick(context.Background(), at)
	a.parts.sched.Tick(context.Background(), at.Add(time.Hour))
	if err := a.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	onceEach("after a second restart")
	if err := a.shutdown(); err != nil {
		t.Fatal(err)
	}
}

// TestPostgresFromTheConfigFile: the bot run as an operator runs it, its
// database URL (with a password) from ${HERALD_DATABASE_URL}: it starts,
// a second one on the same database starts beside it (several instances
// share one database), both stop cleanly, and the password is in none of
// what they print.
func TestPostgresFromTheConfigFile(t *testing.T) {
	const password = "s3cr3t-pw"
	u, err := neturl.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = neturl.UserPassword(u.User.Username(), password) // the test server trusts loopback: any password
	t.Setenv("HERALD_DATABASE_URL", u.String())
	path := filepath.Join(t.TempDir(), "config.yaml")
	body := "storage:\n  driver: postgres\n  postgres_url: ${HERALD_DATABASE_URL}\nhttp: {listen: '127.0.0.1:0'}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	shown := postgres.Redact(u.String())

	b := startBot(t, strings.NewReader(""), "-config", path)
	if !strings.Contains(b.stderr.String(), fmt.Sprintf("storage=%q", shown)) {
		t.Errorf("the start line does not name the database %s:\n%s", shown, b.stderr)
	}
	r := startBot(t, strings.NewReader(""), "-config", path)
	for _, x := range []*bot{r, b} {
		if code := x.wait(t); code != exitOK {
			t.Errorf("exit %d:\n%s", code, x.stderr)
		}
	}
	for _, out := range []string{b.stdout.String(), b.stderr.String(), r.stdout.String(), r.stderr.String()} {
		if strings.Contains(out, password) {
			t.Errorf("the password is shown:\n%s", out)
		}
	}
}

// startPGApp starts the wired bot; the test stops it (a restart), else
// it is stopped when the test ends.
func startPGApp(t *testing.T, cfg Config, now func() time.Time) *app {
	t.Helper()
	a, err := startApp(cfg, slog.New(slog.DiscardHandler), appOptions{SchedulerNow: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.shutdown() }) // a no-op error once the test stopped it
	return a
}

// pgGroupRig is adminGroupRig on a PostgreSQL schema of the test's own.
func pgGroupRig(t *testing.T, token string, group int64, admins ...int64) (*platformtest.Server, Config) {
	t.Helper()
	fakes, _, cfg := adminGroupRig(t, token, group, admins...)
	cfg.Storage = StorageConfig{Driver: driverPostgres, PostgresURL: pgtest.URL(t)}
	return fakes, cfg
}

// startPGLeader starts the wired bot and waits until it sends (it holds
// leaseDispatch), as the only instance does once it has taken the lease.
func startPGLeader(t *testing.T, cfg Config, now func() time.Time) *app {
	t.Helper()
	a := startPGApp(t, cfg, now)
	waitUntil(t, "the bot holds the sending lease", a.cluster.sends)
	return a
}

// TestCheckConfigSaysWhereThePostgresSchemaStands: check-config connects
// and says whether the bot would start on the database as it is: empty
// (tables made at start), behind (migrated at start), current, or written
// by a newer herald (refused, exit 1). An unreachable server is one line
// with the fix; the password is never shown.
func TestCheckConfigSaysWhereThePostgresSchemaStands(t *testing.T) {
	url := pgtest.URL(t)
	latest := postgres.LatestSchema()
	path := filepath.Join(t.TempDir(), "config.yaml")
	writePGConfig := func(url string) {
		t.Helper()
		t.Setenv("HERALD_DATABASE_URL", url)
		body := "storage:\n  driver: postgres\n  postgres_url: ${HERALD_DATABASE_URL}\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writePGConfig(url)
	shown := postgres.Redact(url)
	check := func(wantCode int, want string) {
		t.Helper()
		r := runBot(t, "check-config", "-config", path)
		if r.code != wantCode || !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("exit %d; want %d and %q in:\n%s%s", r.code, wantCode, want, r.stdout, r.stderr)
		}
	}
	check(exitOK, " postgres "+shown+"\n")
	check(exitOK, fmt.Sprintf("database: connected to %s; it has no Herald tables yet: herald creates them (schema %d) when it starts.", shown, latest))
	check(exitOK, "cluster: any number of herald instances with this config share the database: one at a time sends (and polls Telegram); if it stops, another takes over within 10s plus a few seconds")

	setSchema := func(v int) {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, sql := range []string{
			`CREATE TABLE IF NOT EXISTS herald_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
			`TRUNCATE herald_schema`,
		} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := conn.Exec(ctx, `INSERT INTO herald_schema (version, name) VALUES ($1, 'test')`, v); err != nil {
			t.Fatal(err)
		}
	}
	if latest > 1 {
		setSchema(latest - 1)
		check(exitOK, fmt.Sprintf("schema %d is behind this build's %d: herald migrates it when it starts", latest-1, latest))
	}
	if latest > 0 {
		setSchema(latest)
		check(exitOK, fmt.Sprintf("database: connected to %s; schema %d is current.", shown, latest))
	}
	setSchema(latest + 1)
	check(exitFail, fmt.Sprintf("was written by a newer herald (schema %d; this build knows up to %d) — upgrade herald", latest+1, latest))
	// The bot refuses it too, before writing anything.
	cfg := DefaultConfig()
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Storage = StorageConfig{Driver: driverPostgres, PostgresURL: url}
	if a, err := startApp(cfg, slog.New(slog.DiscardHandler), appOptions{}); err == nil {
		_ = a.shutdown()
		t.Error("the bot started on a database a newer herald wrote")
	} else if !strings.Contains(err.Error(), "upgrade herald") {
		t.Errorf("the bot on a newer database: %v", err)
	}

	// Nobody listens on port 1: one line with the fix, no password.
	writePGConfig("postgres://herald:s3cr3t-pw@127.0.0.1:1/herald?connect_timeout=5")
	r := runBot(t, "check-config", "-config", path)
	if r.code != exitFail || !strings.Contains(r.stderr, "cannot connect to the database postgres://herald:xxxxx@127.0.0.1:1/herald") ||
		!strings.Contains(r.stderr, "check storage.postgres_url") || strings.Contains(r.stdout+r.stderr, "s3cr3t-pw") {
		t.Errorf("check-config with no server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestReadyzNamesPostgresWriteFailures: /readyz says what kind of write
// failure PostgreSQL reported, so an operator whose URL reaches a standby
// after a failover reads why at once.
func TestReadyzNamesPostgresWriteFailures(t *testing.T) {
	for code, want := range map[string]string{
		"25006": "the database is read-only (a standby?)",
		"53100": "the database server's disk is full",
		"40001": "a write failed (see the log)",
	} {
		err := fmt.Errorf("storage: probe: %w", &pgconn.PgError{Code: code})
		if got := writeFailure(err); got != want {
			t.Errorf("SQLSTATE %s: %q, want %q", code, got, want)
		}
	}
}
