package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldbot/herald/platformtest"
)

// TestTelegramAdminMakesASequenceThatGreetsNewFollowers: an admin in the
// Telegram group makes a sequence step by step with the buttons and typed
// answers; a LINE user who follows afterwards gets its first step through
// the running bot, and /sequences counts it.
func TestTelegramAdminMakesASequenceThatGreetsNewFollowers(t *testing.T) {
	const token, group, alice = "123456:seq-test", int64(-100555), int64(42)
	fakes, _, cfg := groupAndLINE(t, token, group, alice)
	tg := fakes.Telegram
	a, clock := startClockedApp(t, cfg)
	g := groupChat(t, tg, token, group)
	me := groupUser(alice, "Alice")

	g.say(me, "/sequence new")
	answer(g, me, waitForMessage(t, tg, group, "What's the sequence called?"), "Welcome drip")
	g.press(me, waitForMessage(t, tg, group, "What brings a person into the sequence?"), "sq:follow")
	g.press(me, waitForMessage(t, tg, group, "Whose new subscribers?"), "sf:line")
	g.press(me, waitForMessage(t, tg, group, "Step 1: how long after the person enters"), "sd:0")
	answer(g, me, waitForMessage(t, tg, group, "Step 1 · Type its message"), "Welcome, {name|friend}!")
	g.press(me, waitForMessage(t, tg, group, "Step 1 · Buttons"), "done")
	g.press(me, waitForMessage(t, tg, group, "Step 1 is saved: right away."), "sq:done")
	answer(g, me, waitForMessage(t, tg, group, "Exit tags: whoever gets one"), "customer")
	g.press(me, waitForMessage(t, tg, group, "Sequence “Welcome drip”"), "sq:on")
	on := waitForMessage(t, tg, group, "is on: everyone its trigger brings in")
	id := regexp.MustCompile(`Q-[2-9A-Z]{4}`).FindString(on.Text)

	const ben = "U0123456789abcdef0123456789abcde9"
	postLINE(t, a.addr, "s", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"follow","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":"01TGSEQ","deliveryContext":{"isRedelivery":false},"replyToken":"r"}]}`,
		clock.Now().UnixMilli(), ben))
	waitForDelivery(t, fakes.Recorder, "line", ben, "Welcome, ") // the name, or "friend" before LINE told it

	var list platformtest.TelegramMessage
	waitUntil(t, "/sequences counts the send", func() bool {
		g.say(me, "/sequences")
		list = waitForMessage(t, tg, group, "🔁 Sequences")
		return strings.Contains(list.Text, "1. right away: 0 waiting · 1 sent · 0 failed · 0 tapped")
	})
	if !strings.Contains(list.Text, "▶️ "+id+" “Welcome drip” — 👋 a new subscriber on LINE · 0 in it, 1 finished, 0 left") {
		t.Errorf("/sequences:\n%s", list.Text)
	}
	g.press(me, list, "/sequence pause "+id)
	waitForMessage(t, tg, group, "⏸ Paused "+id)
}

// answer is from replying with text to the bot's message m, as admins
// answer the wizard in a group.
func answer(c *tgChat, from map[string]any, m platformtest.TelegramMessage, text string) {
	c.t.Helper()
	botID, _, _ := strings.Cut(c.token, ":")
	c.msgID++
	c.push(map[string]any{"message": map[string]any{"message_id": c.msgID, "date": m.Date.Unix(), "chat": c.chat, "from": from, "text": text,
		"reply_to_message": map[string]any{"message_id": m.MessageID, "date": m.Date.Unix(), "chat": c.chat, "text": m.Text,
			"from": map[string]any{"id": json.Number(botID), "is_bot": true, "first_name": "Herald"}}}})
}
