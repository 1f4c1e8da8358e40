package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

func withUpdateID(upd map[string]any, id int) map[string]any {
	out := map[string]any{"update_id": id}
	for k, v := range upd {
		out[k] = v
	}
	return out
}

func statuses(bs []herald.Broadcast) []herald.Status {
	var out []herald.Status
	for _, b := range bs {
		out = append(out, b.Status)
	}
	return out
}

// countSent counts the bot's messages in chat whose text has want.
func countSent(tg *platformtest.Telegram, chat int64, want string) int {
	n := 0
	for _, m := range tg.Sent(chat) {
		if strings.Contains(m.Text, want) {
			n++
		}
	}
	return n
}

// TestClusterAppliesQuickPressesInOrderOnce: two instances behind a load
// balancer (Telegram in webhook mode) get the same admin's two quick
// presses of Confirm, one each, at once. The conversation's turns are
// applied one at a time across the instances: the broadcast is scheduled
// once, and the second press finds it done.
func TestClusterAppliesQuickPressesInOrderOnce(t *testing.T) {
	const group, alice = int64(-100557), int64(42)
	const token, secret = "123456:cluster-turns", "hook-secret"
	fakes, cfg := pgGroupRig(t, token, group, alice)
	cfg.Telegram.WebhookURL, cfg.Telegram.WebhookSecret = "https://herald.example.org/webhooks/telegram", secret
	tg := fakes.Telegram
	now := time.Now()
	clock := func() time.Time { return now }
	first := startPGApp(t, cfg, clock)
	subscribe(t, first.store, herald.Telegram, now, nil, "7001", "7002")
	second := startPGApp(t, cfg, clock) // its audience index is built with them

	update := 0
	post := func(a *app, upd map[string]any) {
		t.Helper()
		update++
		upd["update_id"] = update
		body, _ := json.Marshal(upd)
		req, _ := http.NewRequest("POST", "http://"+a.addr+"/webhooks/telegram", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		if code := doStatus(t, req); code != http.StatusOK {
			t.Errorf("webhook: %d", code)
		}
	}
	chat := map[string]any{"id": group, "type": "supergroup", "title": "Herald admins"}
	from := groupUser(alice, "Alice")
	at := now.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	post(first, map[string]any{"message": map[string]any{"message_id": 1, "date": now.Unix(), "chat": chat, "from": from,
		"text": `/new "Doors open at eleven" to everyone on telegram at ` + at.Format(herald.LocalLayout)}})
	summary := waitForMessage(t, tg, group, `"sum:confirm"`)
	press := func(n int) map[string]any {
		return map[string]any{"callback_query": map[string]any{"id": fmt.Sprint("cq-", n), "from": from, "chat_instance": "ci", "data": "sum:confirm",
			"message": map[string]any{"message_id": summary.MessageID, "date": summary.Date.Unix(), "chat": chat, "text": summary.Text,
				"reply_markup": json.RawMessage(summary.ReplyMarkup)}}}
	}
	presses := []map[string]any{press(1), press(2)}
	update += 2
	var wg sync.WaitGroup
	for i, a := range []*app{first, second} {
		wg.Go(func() {
			body, _ := json.Marshal(withUpdateID(presses[i], update+i))
			req, _ := http.NewRequest("POST", "http://"+a.addr+"/webhooks/telegram", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			if code := doStatus(t, req); code != http.StatusOK {
				t.Errorf("webhook: %d", code)
			}
		})
	}
	wg.Wait()
	// Both are recorded; each instance's admin side finishes its turn.
	for _, a := range []*app{first, second} {
		if err := a.parts.fe.Telegram.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	bs, err := first.store.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 1 || bs[0].Status != herald.StatusScheduled {
		for _, m := range tg.Sent(group) {
			t.Logf("bot: %s", m.Text)
		}
		t.Fatalf("after two presses of Confirm on two instances: %d broadcasts (%v); want one, scheduled", len(bs), statuses(bs))
	}
	if n := countSent(tg, group, "is scheduled"); n != 1 {
		t.Errorf("the group was told %d times that the broadcast is scheduled, want once", n)
	}
	// In order: the second press is applied after the first, to the
	// conversation the first finished; never to the summary again (which
	// would try to schedule it a second time).
	msgs := tg.Sent(group)
	last := msgs[len(msgs)-1]
	if strings.Contains(last.Text, "is scheduled") {
		last = msgs[len(msgs)-2]
	}
	if strings.Contains(last.Text, "⚠️") || strings.Contains(last.Text, "Summary of") {
		t.Errorf("the second press was applied to the summary the first had confirmed: %s", last.Text)
	}
}
