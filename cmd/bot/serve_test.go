package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// TestServeFiresAScheduledAPIBroadcastThroughEverySender runs the wired
// bot with every channel pointed at the platform fakes: a broadcast made
// through the REST API for later is fired by the scheduler (its clock
// driven by Tick, no sleeping) and delivered by the real senders.
func TestServeFiresAScheduledAPIBroadcastThroughEverySender(t *testing.T) {
	fakes, u := platformFakes(t)
	cfg := testConfig(t)
	cfg.PublicBaseURL = "https://herald.example.org"
	cfg.Telegram = TelegramConfig{Token: "123456:serve-test", APIURL: u.Telegram, AdminChatIDs: []int64{-100777}}
	withLINE(&cfg, u)
	cfg.Messenger = MessengerConfig{PageToken: "page-token", AppSecret: "app-secret", APIURL: u.Messenger, APIVersion: "v26.0"}
	cfg.API.Tokens = []APIToken{{Name: "crm", Token: "crm-token-123"}}
	cfg.API.ReportTo = &ChatRef{Frontend: "telegram", Chat: "-100777"}
	addAdminGroup(fakes.Telegram, -100777)

	start := time.Now()
	a := startTestApp(t, cfg, func() time.Time { return start })
	subs := []herald.Subscriber{
		{Platform: herald.LINE, ID: "U0123456789abcdef0123456789abcdef", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"vip"}, FirstSeen: start, LastInteraction: start},
		{Platform: herald.Telegram, ID: "1001", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"vip"}, FirstSeen: start, LastInteraction: start},
		{Platform: herald.Messenger, ID: "PSID-1", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"vip"}, FirstSeen: start, LastInteraction: start},
		{Platform: herald.Telegram, ID: "1002", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"other"}, FirstSeen: start, LastInteraction: start},
	}
	if err := a.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	fakes.Messenger.Interacted("PSID-1", start)

	at := start.Add(time.Hour).UTC().Truncate(time.Minute)
	body, _ := json.Marshal(map[string]any{"name": "Autumn sale", "status": "scheduled", "category": "marketing",
		"audience": map[string]any{"channels": []string{"line", "telegram", "messenger"}, "include_tags": []string{"vip"}},
		"content":  map[string]any{"kind": "text", "text": "Hello {name|there}, autumn sale!"},
		"schedule": map[string]any{"kind": "at", "at": at.Format(time.RFC3339)}})
	req, _ := http.NewRequest("POST", "http://"+a.addr+"/api/v1/broadcasts", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer crm-token-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created struct{ ID string }
	if err := json.Unmarshal(raw, &created); resp.StatusCode != http.StatusCreated || err != nil {
		t.Fatalf("create: %d %s", resp.StatusCode, raw)
	}

	ctx := context.Background()
	a.parts.sched.Tick(ctx, at.Add(-time.Minute))
	if n := fakes.Recorder.Count("line") + fakes.Recorder.Count("telegram") + fakes.Recorder.Count("messenger"); n != 0 {
		t.Fatalf("%d messages went out before the broadcast's time", n)
	}
	a.parts.sched.Tick(ctx, at)
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for _, to := range []struct{ platform, id string }{{"line", subs[0].ID}, {"telegram", "1001"}, {"messenger", "PSID-1"}} {
		if len(fakes.Recorder.To(to.platform, to.id)) != 1 {
			t.Errorf("%s %s got %d messages, want 1 (rejected: %+v)", to.platform, to.id, len(fakes.Recorder.To(to.platform, to.id)), fakes.Recorder.Rejected(to.platform))
		}
	}
	if got := fakes.Recorder.To("telegram", "1002"); len(got) != 0 {
		t.Errorf("a subscriber without the tag got %d messages", len(got))
	}
	b, err := a.store.Broadcast(created.ID)
	if err != nil || b.Status != herald.StatusCompleted {
		t.Errorf("broadcast after its run: %s, %v; want completed", b.Status, err)
	}
	// LINE and Messenger fetch uploaded images from the bot.
	mediaID, err := a.store.PutMedia("image/png", []byte("\x89PNG fake"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get("http://" + a.addr + "/media/" + mediaID); err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("GET /media/%s: %v %v", mediaID, resp, err)
	} else {
		resp.Body.Close()
	}
	if d := fakes.Recorder.To("telegram", "1001"); len(d) == 1 && !strings.Contains(d[0].Content, "autumn sale") {
		t.Errorf("telegram got %+v", d[0])
	}
	// The API's broadcast reports in the admin group named by api.report_to.
	a.parts.fe.Reporter.Wait()
	report := waitForMessage(t, fakes.Telegram, -100777, "Report: Autumn sale")
	for _, want := range []string{"🔌 Made through the API by “crm”", "LINE: ✅ 1 sent", "Telegram: ✅ 1 sent", "Messenger: ✅ 1 sent"} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("report in the admin group lacks %q:\n%s", want, report.Text)
		}
	}
}

// TestServeReportsToTheTelegramAdminChat: an admin schedules a broadcast
// in the Telegram admin group; when the scheduler fires it, the run's
// progress and final report come back to that group.
func TestServeReportsToTheTelegramAdminChat(t *testing.T) {
	const group, alice = int64(-100777), int64(42)
	const token = "123456:serve-test"
	fakes, _, cfg := adminGroupRig(t, token, group, alice)
	start := time.Now()
	a := startTestApp(t, cfg, func() time.Time { return start })
	subscribe(t, a.store, herald.Telegram, start, []string{"vip"}, "1001", "1002")

	at := start.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	g := groupChat(t, fakes.Telegram, token, group)
	g.confirmNew(groupUser(alice, "Alice"), `/new "Hi {name|there}, doors open soon" to tag:vip on telegram at `+at.Format(herald.LocalLayout))
	waitForMessage(t, fakes.Telegram, group, "scheduled")

	ctx := context.Background()
	a.parts.sched.Tick(ctx, at)
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	a.parts.fe.Reporter.Wait()
	for _, id := range []string{"1001", "1002"} {
		if len(fakes.Recorder.To("telegram", id)) != 1 {
			t.Errorf("subscriber %s got %d messages, want 1", id, len(fakes.Recorder.To("telegram", id)))
		}
	}
	report := waitForMessage(t, fakes.Telegram, group, "Report")
	if !strings.Contains(report.Text, "Telegram: ✅ 2 sent") {
		t.Errorf("report in the admin group:\n%s", report.Text)
	}
	var progress bool
	for _, m := range fakes.Telegram.Sent(group) {
		progress = progress || strings.Contains(m.Text, "2 / 2")
	}
	if !progress {
		t.Error("no progress message in the admin group")
	}
	// The report's chart follows it, as a photo in the same group.
	if chart := waitForMessage(t, fakes.Telegram, group, "deliveries over time"); chart.Method != "sendPhoto" || chart.Photo == "" {
		t.Errorf("chart in the admin group: %+v", chart)
	}
}

// waitForMessage waits for the bot's newest message in chat whose text or
// buttons contain want (the bot answers on its own goroutines).
func waitForMessage(t *testing.T, tg *platformtest.Telegram, chat int64, want string) platformtest.TelegramMessage {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		msgs := tg.Sent(chat)
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.Contains(msgs[i].Text, want) || strings.Contains(msgs[i].ReplyMarkup, want) {
				return msgs[i]
			}
		}
		if time.Now().After(deadline) {
			var texts []string
			for _, m := range msgs {
				texts = append(texts, m.Text+" "+m.ReplyMarkup)
			}
			t.Fatalf("no message with %q in chat %d; the bot sent:\n%s", want, chat, strings.Join(texts, "\n---\n"))
		}
		time.Sleep(5 * time.Millisecond) // waiting for a condition, not a schedule
	}
}
