package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// TestRetryFailedFromTheChatAndTheAPI: LINE's monthly quota runs out part
// way through a broadcast made in the Telegram admin group. The report
// offers "Retry failed (N)"; pressing it sends only to those who missed
// out and reports again; the API's retry does the same for the rest; a
// further retry has nobody left. Everybody gets the message exactly once.
func TestRetryFailedFromTheChatAndTheAPI(t *testing.T) {
	const group, alice = int64(-100888), int64(42)
	const token = "123456:retry-test"
	fakes, _, cfg := groupAndLINE(t, token, group, alice)
	tg := fakes.Telegram
	cfg.API.Tokens = []APIToken{{Name: "crm", Token: "crm-token-123"}}
	a, clock := startClockedApp(t, cfg)
	ids := []string{"U1", "U2", "U3", "U4", "U5"}
	subscribe(t, a.store, herald.LINE, clock.Now(), []string{"vip"}, ids...)

	g := groupChat(t, tg, token, group)
	ctx := context.Background()
	// next waits for the first message after *last that matches, and
	// moves *last to it.
	next := func(what string, last *int, match func(platformtest.TelegramMessage) bool) platformtest.TelegramMessage {
		t.Helper()
		var found platformtest.TelegramMessage
		waitUntil(t, what, func() bool {
			for _, m := range tg.Sent(group) {
				if m.MessageID > *last && match(m) {
					found, *last = m, m.MessageID
					return true
				}
			}
			return false
		})
		return found
	}
	// broadcast makes one in the chat and returns its ID; Tick sends it.
	lastSummary, lastConfirm := 0, 0
	// before runs just before Confirm: confirm refuses a broadcast over
	// LINE's quota, so the quota has to run out after it, or go unread.
	broadcast := func(text string, before func()) string {
		t.Helper()
		g.say(groupUser(alice, "Alice"), `/new "`+text+`" to tag:vip on line now`)
		// this broadcast's summary, not the one before it
		summary := next("the summary of "+text, &lastSummary, func(m platformtest.TelegramMessage) bool {
			return strings.Contains(m.ReplyMarkup, `"sum:confirm"`)
		})
		before()
		g.press(groupUser(alice, "Alice"), summary, "sum:confirm")
		confirmed := next("the confirmation of "+text, &lastConfirm, func(m platformtest.TelegramMessage) bool {
			return strings.Contains(m.Text, "in 60 seconds")
		})
		return broadcastIDIn(confirmed.Text)
	}
	report := func(name string, n int) platformtest.TelegramMessage {
		t.Helper()
		if err := a.parts.dispatch.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		var out []platformtest.TelegramMessage
		waitUntil(t, "report", func() bool {
			out = out[:0]
			for _, m := range tg.Sent(group) {
				if strings.Contains(m.Text, "Report: "+name) {
					out = append(out, m)
				}
			}
			return len(out) >= n
		})
		return out[n-1]
	}
	// One multicast of 5 over a quota of 1 all fails; it is set once the
	// broadcast is confirmed (the scheduler's clock is not past it yet).
	id := broadcast("Flash sale", func() {})
	fakes.LINE.SetQuota(1)
	a.parts.sched.Tick(ctx, clock.Add(2*time.Minute))
	first := report("Flash sale", 1)
	if !strings.Contains(first.ReplyMarkup, `"/retry `+id+`"`) || !strings.Contains(first.ReplyMarkup, "Retry failed (5)") {
		t.Fatalf("the report offers no retry of the 5 failed:\n%s\n%s", first.Text, first.ReplyMarkup)
	}
	fakes.LINE.SetQuota(5)
	g.press(groupUser(alice, "Alice"), first, "/retry "+id)
	waitForMessage(t, tg, group, "Retrying "+id)
	if second := report("Flash sale", 2); !strings.Contains(second.Text, "✅ 5 sent") {
		t.Errorf("the chat's retry report:\n%s", second.Text)
	}

	// The quota is used up again; the API retries the next one.
	// LINE does not answer the quota read at confirm: not checked, sent.
	other := broadcast("Second sale", func() { fakes.LINE.Faults.FailNext(1, 500) })
	a.parts.sched.Tick(ctx, clock.Add(2*time.Minute))
	report("Second sale", 1)
	fakes.LINE.SetQuota(100)
	api := func() (int, map[string]any) {
		req, _ := http.NewRequest("POST", "http://"+a.addr+"/api/v1/broadcasts/"+other+"/retry", nil)
		req.Header.Set("Authorization", "Bearer crm-token-123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, body := api(); code != http.StatusAccepted || body["recipients"] != float64(5) {
		t.Fatalf("API retry: %d %v; want 202 for 5 recipients", code, body)
	}
	if again := report("Second sale", 2); !strings.Contains(again.Text, "✅ 5 sent") {
		t.Errorf("the API's retry report:\n%s", again.Text)
	}
	if code, body := api(); code != http.StatusConflict {
		t.Errorf("a retry with nobody left: %d %v; want 409", code, body)
	}
	for _, sub := range ids {
		if n := len(fakes.Recorder.To("line", sub)); n != 2 {
			t.Errorf("%s got %d messages, want exactly 2 (one of each broadcast)", sub, n)
		}
	}
}
