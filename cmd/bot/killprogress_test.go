package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// TestKillNineLeavesNoProgressSayingSending: the built bot is killed
// with SIGKILL three times in the middle of a run and started again on the
// same database each time. The run resumes and completes, and the admin
// group ends with one progress message for it — edited after each
// restart, never posted again — which says completed, and the report.
func TestKillNineLeavesNoProgressSayingSending(t *testing.T) {
	dir, bin := buildBot(t)
	const group, admin, recipients = int64(-100888), int64(42), 400
	const token = "123456:kill-test"
	fakes, u := platformFakes(t)
	tg := fakes.Telegram
	addAdminGroup(tg, group, admin)
	tg.Faults.SetLatency(5 * time.Millisecond)

	db := filepath.Join(dir, "herald.db")
	bid := killTestBroadcast(t, db, herald.Origin{Frontend: "telegram", ChatID: fmt.Sprint(group), UserID: fmt.Sprint(admin)}, recipients)
	config := filepath.Join(dir, "config.yaml")
	yaml := fmt.Sprintf("storage: {path: %q}\nhttp: {listen: \"127.0.0.1:0\"}\n"+
		"telegram: {token: %q, api_url: %q, admin_chat_ids: [%d]}\ndispatch: {telegram_per_second: 40}\n", db, token, u.Telegram, group)
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "bot.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("the bot's log:\n%s", out[max(0, len(out)-8000):])
		}
	})
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "-config", config)
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	edits := 0
	progress := func() []string {
		var out []string
		for _, m := range tg.Sent(group) {
			if strings.HasPrefix(m.Text, "📤 ") {
				out, edits = append(out, m.Text), m.Edits
			}
		}
		return out
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(90 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) { // a condition, not a schedule
			if time.Now().After(deadline) {
				t.Fatalf("never happened: %s; progress messages: %q", what, progress())
			}
		}
	}

	// Killed three times, each time once a further quarter is sent and the
	// progress message was edited since the start.
	for kill := 1; kill <= 3; kill++ {
		bot := start()
		editsAtStart := edits
		waitUntil(fmt.Sprintf("kill %d: %d%% sent and the progress message edited", kill, 25*kill), func() bool {
			return len(progress()) == 1 && edits > editsAtStart && fakes.Recorder.Recipients("telegram") > kill*recipients/4
		})
		if err := bot.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = bot.Wait()
		if got := fakes.Recorder.Recipients("telegram"); got >= recipients {
			t.Fatalf("the run was over (%d reached) before kill %d", got, kill)
		}
		if p := progress(); !strings.Contains(p[0], "— sending") || strings.Contains(p[0], " 0%") {
			t.Fatalf("at kill %d the progress message reads:\n%s", kill, p[0])
		}
	}

	start()
	waitUntil("the report", func() bool {
		for _, m := range tg.Sent(group) {
			if strings.HasPrefix(m.Text, "📊 Report: ") {
				return true
			}
		}
		return false
	})
	p := progress()
	if len(p) != 1 {
		t.Fatalf("%d progress messages for one run killed three times, want 1:\n%s", len(p), strings.Join(p, "\n---\n"))
	}
	if strings.Contains(p[0], "— sending") || !strings.Contains(p[0], "— completed") || !strings.Contains(p[0], bid) {
		t.Errorf("after the restart and the end of the run the progress message reads:\n%s", p[0])
	}
}

// killTestBroadcast stores n Telegram subscribers and a broadcast to all
// of them made in origin, due now.
func killTestBroadcast(t *testing.T, db string, origin herald.Origin, n int) string {
	t.Helper()
	st, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.Telegram, ID: fmt.Sprint(5000 + i), Kind: herald.KindUser,
			State: herald.Subscribed, FirstSeen: now, LastInteraction: now}
	}
	if err := st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	b := herald.Broadcast{Name: "Kill test", Status: herald.StatusScheduled, Origin: origin, Category: herald.Marketing,
		Content:  herald.Content{Kind: herald.TextContent, Text: "Hello"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendAt, At: now.UTC()}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	return b.ID
}
