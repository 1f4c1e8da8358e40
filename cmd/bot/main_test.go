package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/storage"
)

// syncBuffer is a bytes.Buffer safe for the bot's goroutines to write
// while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runResult is what one in-process run of the binary produced.
type runResult struct {
	code           int
	stdout, stderr string
}

func runBot(t *testing.T, args ...string) runResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return runResult{code, out.String(), errb.String()}
}

// writeConfig writes a config with its database and HTTP port in a temp
// dir (":0", so tests never collide) and returns its path.
func writeConfig(t *testing.T, extra string) (path, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = filepath.Join(dir, "data", "herald.db") // "data" does not exist yet
	path = filepath.Join(dir, "config.yaml")
	body := fmt.Sprintf("storage:\n  path: %s\nhttp:\n  listen: 127.0.0.1:0\n%s", dbPath, extra)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, dbPath
}

// bot is a bot running in-process; stop ends it as SIGTERM would.
type bot struct {
	stderr *syncBuffer
	stdout *syncBuffer
	addr   string
	stop   context.CancelFunc
	done   chan int
}

var startedAddr = regexp.MustCompile(`msg="herald started" http_addr=(\S+)`)

func startBot(t *testing.T, stdin io.Reader, args ...string) *bot {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	b := &bot{stderr: &syncBuffer{}, stdout: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
	go func() { b.done <- run(ctx, args, stdin, b.stdout, b.stderr) }()
	// Wait for readiness (the log line), not for a fixed time; the
	// deadline only turns a hang into a failure.
	deadline := time.After(30 * time.Second)
	for {
		if m := startedAddr.FindStringSubmatch(b.stderr.String()); m != nil {
			b.addr = m[1]
			break
		}
		select {
		case code := <-b.done:
			t.Fatalf("bot exited with %d before starting:\n%s", code, b.stderr)
		case <-deadline:
			t.Fatalf("bot did not start:\n%s", b.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Cleanup(func() { cancel(); <-b.done })
	return b
}

func (b *bot) wait(t *testing.T) int {
	t.Helper()
	b.stop()
	code := <-b.done
	b.done <- code // for Cleanup
	return code
}

func TestHelpListsEverySubcommand(t *testing.T) {
	for _, arg := range []string{"help", "-h", "--help"} {
		r := runBot(t, arg)
		if r.code != 0 {
			t.Fatalf("%s: exit %d", arg, r.code)
		}
		for _, cmd := range []string{"check-config", "backup", "check-db", "fakes", "bench audience", "bench dispatch", "-config", "-demo"} {
			if !strings.Contains(r.stdout, cmd) {
				t.Errorf("%s: usage does not mention %q:\n%s", arg, cmd, r.stdout)
			}
		}
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	r := runBot(t, "chek-config")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown command "chek-config"`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runBot(t, "-nope")
	if r.code != exitUsage {
		t.Errorf("unknown flag: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestCheckConfigShowsWhatIsEnabledWithoutSecrets(t *testing.T) {
	vars := exampleEnv(t)
	for k, v := range vars {
		t.Setenv(k, v)
	}
	r := runBot(t, "check-config", "-config", "../../config.example.yaml")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"is valid", "data/herald.db", "127.0.0.1:8080", "UTC",
		"telegram   on", "slack      on", "line       on", "messenger  on", "1 token(s): crm; API broadcasts report to telegram chat -1001234567890",
		"GET /metrics on metrics.listen 127.0.0.1:9090 only needs the bearer token of metrics.token"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	for k, v := range vars {
		if strings.Contains(r.stdout, v) && !strings.HasSuffix(k, "_LISTEN") { // an address is no secret
			t.Errorf("output shows the value of %s:\n%s", k, r.stdout)
		}
	}
}

func TestCheckConfigWithTypoIsOneLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("timezone: UTC\ntelgram:\n  token: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runBot(t, "check-config", "-config", path)
	want := path + `:2: unknown key "telgram" (did you mean "telegram"?)` + "\n"
	if r.code != exitFail || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", r.code, r.stderr, want)
	}
}

func TestCheckConfigValidationNamesKeyAndFile(t *testing.T) {
	path, _ := writeConfig(t, "telegram:\n  token: 123:abc\n")
	r := runBot(t, "check-config", "-config", path)
	want := path + `: telegram.admin_chat_ids: must not be empty when telegram.token is set — add the ID of your admin group (see README "Telegram")` + "\n"
	if r.code != exitFail || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", r.code, r.stderr, want)
	}
}

func TestRunServesHealthAndStopsCleanly(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	b := startBot(t, strings.NewReader(""), "-config", cfg)

	res, err := http.Get("http://" + b.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	err = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || body["status"] != "ok" {
		t.Fatalf("healthz: %d %v %v", res.StatusCode, body, err)
	}
	if code := b.wait(t); code != 0 {
		t.Fatalf("exit %d:\n%s", code, b.stderr)
	}
	if !strings.Contains(b.stderr.String(), "herald stopped") {
		t.Errorf("no clean stop logged:\n%s", b.stderr)
	}
	// The database was created (with its directory) and closed: it opens again.
	s, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		t.Fatalf("reopen after shutdown: %v", err)
	}
	s.Close()
}

func TestSecondBotOnTheSameDatabaseSaysSoAndExits(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	startBot(t, strings.NewReader(""), "-config", cfg)

	r := runBot(t, "-config", cfg)
	want := fmt.Sprintf("herald: another herald is running with %s — stop it or use -config with another storage.path\n", dbPath)
	if r.code != exitFail || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", r.code, r.stderr, want)
	}
}

func TestCorruptDatabaseIsOneLineWithTheFix(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		t.Fatal(err)
	}
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	if err := os.WriteFile(dbPath, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runBot(t, "-config", cfg)
	if r.code != exitFail || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, dbPath+" is damaged") || !strings.Contains(r.stderr, "restore your latest backup") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(dbPath); !bytes.Equal(got, garbage) {
		t.Error("the corrupt file was changed")
	}
}

func TestBackupWritesACopyThatOpens(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	b := startBot(t, strings.NewReader(""), "-config", cfg)
	if code := b.wait(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	target := filepath.Join(t.TempDir(), "backup.db")
	r := runBot(t, "backup", "-config", cfg, target)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "backup: wrote "+target+" (") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	s, err := storage.Open(target, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	s.Close()

	r = runBot(t, "backup", "-config", cfg, dbPath)
	if r.code != exitFail || !strings.Contains(r.stderr, "is the database itself") {
		t.Errorf("backup onto the database: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBackupWithoutDatabaseSaysWhere(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	r := runBot(t, "backup", "-config", cfg, filepath.Join(t.TempDir(), "b.db"))
	want := fmt.Sprintf("herald backup: there is no database at %s — check storage.path (or -config)\n", dbPath)
	if r.code != exitFail || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
}

func TestDemoWithoutConfigUsesItsOwnDatabase(t *testing.T) {
	t.Setenv("HERALD_CONFIG", "")
	cfg, source, err := resolveConfig("", true)
	if err != nil || cfg.Storage.Path != demoStoragePath || source != "embedded defaults" {
		t.Errorf("demo config: %q from %q, %v", cfg.Storage.Path, source, err)
	}
	cfg, _, _ = resolveConfig("", false)
	if cfg.Storage.Path != defaultStoragePath {
		t.Errorf("bot config: %q", cfg.Storage.Path)
	}
}

func TestDemoStartsAndStopsAtEndOfInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	// A production config: the demo must leave its database alone (never
	// seed generated people into it) and use its own, under the working
	// directory. -listen overrides http.listen (":0": 8080 may be taken).
	prod := filepath.Join(dir, "prod", "herald.db")
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("storage:\n  path: "+prod+"\nhttp:\n  listen: 127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(t.Context(), []string{"-demo", "-config", path, "-listen", "127.0.0.1:0"}, strings.NewReader("hello\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "Herald demo is running") || !strings.Contains(out.String(), "stopping the demo") {
		t.Errorf("banner:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "demo.db")); err != nil {
		t.Errorf("demo database: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(prod)); !os.IsNotExist(err) {
		t.Errorf("the demo touched the config's storage.path: %v", err)
	}
}

// The demo's welcome and goodbye are in the console admin's language, as
// the chat is: with locale ja, no English is left in them.
func TestDemoWelcomesInTheConfiguredLanguage(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, _ := writeConfig(t, "locale: ja\n")
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"-demo", "-config", cfg, "-listen", "127.0.0.1:0"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	for _, want := range []string{"Herald のデモが動いています。", "LINE・Telegram・Messenger の生成された購読者 3,000 人", "10秒", "コンソールを閉じました。"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	for _, english := range []string{"running", "subscribers", "admin", "stopping"} {
		if strings.Contains(out.String(), english) {
			t.Errorf("English %q in the Japanese demo:\n%s", english, out.String())
		}
	}
}

// The demo's LINE account has friends from before Herald: /sync line adds
// them, as on a verified account.
func TestDemoSyncsLINEFollowers(t *testing.T) {
	out := runDemo(t, "/sync line\n")
	if want := fmt.Sprintf(" — %d added, ", demoNewFollowers); !strings.Contains(out, want) {
		t.Errorf("/sync line in the demo lacks %q:\n%s", want, out)
	}
}

func TestListenFlagSaysHowToFixABadOrBusyPort(t *testing.T) {
	r := runBot(t, "-demo", "-listen", "8081")
	if r.code != exitUsage || !strings.Contains(r.stderr, "-listen 127.0.0.1:8081") {
		t.Errorf("bad address: exit %d, stderr %q", r.code, r.stderr)
	}
	first, _ := writeConfig(t, "")
	busy := startBot(t, strings.NewReader(""), "-config", first)
	cfg, _ := writeConfig(t, "")
	r = runBot(t, "-config", cfg, "-listen", busy.addr)
	if r.code != exitFail || !strings.Contains(r.stderr, "cannot listen on "+busy.addr) || !strings.Contains(r.stderr, "-listen 127.0.0.1:PORT") {
		t.Errorf("busy port: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestBenchNeedsATarget(t *testing.T) {
	for _, args := range [][]string{{"bench"}, {"bench", "everything"}} {
		r := runBot(t, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "herald bench audience") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestBackupWhileTheBotRunsIsHot(t *testing.T) {
	cfg, dbPath := writeConfig(t, "")
	b := startBot(t, strings.NewReader(""), "-config", cfg)

	target := filepath.Join(t.TempDir(), "hot.db")
	r := runBot(t, "backup", "-config", cfg, target)
	if r.code != 0 || !strings.Contains(r.stdout, "copied by the running bot") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// Without the control file's token the route does not exist.
	res, err := http.Get("http://" + b.addr + "/internal/backup")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("backup without token: %s", res.Status)
	}
	if code := b.wait(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if _, err := os.Stat(controlPath(dbPath)); !os.IsNotExist(err) {
		t.Errorf("control file left behind after shutdown: %v", err)
	}
	s, err := storage.Open(target, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open the hot backup: %v", err)
	}
	s.Close()
}
