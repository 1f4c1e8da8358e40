package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/platformtest"
)

// testCode finds a /testme code ("K7Q-2M4") in the bot's message.
var testCode = regexp.MustCompile(`\b[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}\b`)

// TestTestMeByCode: /whoami tells a LINE and a Telegram user their ID; an admin who cannot see their own platform IDs asks
// /testme in the Telegram admin group for a one-time code and sends it to
// the bot from their LINE, Telegram and Messenger accounts (signed
// webhooks, a Telegram private chat). Each account hears that it is now a
// test recipient, /testme lists them, "Send test to me" reaches each one
// on its platform's fake and says so per channel, and a platform's refusal
// is said in words.
func TestTestMeByCode(t *testing.T) {
	const group, alice = int64(-100777), int64(42)
	const token = "123456:testme"
	const lineUser, psid = "U0123456789abcdef0123456789abcdef", "PSID-ALICE"
	fakes, u, cfg := adminGroupRig(t, token, group, alice)
	cfg.LINE = LINEConfig{ChannelSecret: "line-secret", ChannelToken: "line-token", APIURL: u.LINE, DataAPIURL: u.LINEData}
	cfg.Messenger = MessengerConfig{PageToken: "page-token", AppSecret: "app-secret", VerifyToken: "verify", APIURL: u.Messenger, APIVersion: "v26.0"}
	start := time.Now()
	a := startTestApp(t, cfg, func() time.Time { return start })
	g := groupChat(t, fakes.Telegram, token, group)
	admin := groupUser(alice, "Alice")

	// askCode sends /testme and returns the fresh code it shows.
	n := 0
	askCode := func() string {
		t.Helper()
		n++
		g.say(admin, "/testme")
		m := waitForNth(t, fakes.Telegram, group, "within 10 minutes", n)
		code := testCode.FindString(m.Text)
		if code == "" {
			t.Fatalf("no code in /testme's answer:\n%s", m.Text)
		}
		return code
	}

	// Anyone learns their own ID by /whoami in a private chat.
	me := privateChat(t, fakes.Telegram, token, alice, "Alice")
	me.say(admin, "/whoami")
	waitForMessage(t, fakes.Telegram, alice, "Your Telegram ID is 42.")
	postLINE(t, a.addr, "line-secret", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"message","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":"01WH","deliveryContext":{"isRedelivery":false},"replyToken":"r",`+
		`"message":{"id":"0","type":"text","text":"/whoami","quoteToken":"q"}}]}`, start.UnixMilli(), lineUser))
	waitForDelivery(t, fakes.Recorder, "line", lineUser, "Your LINE ID is "+lineUser+".")

	code := askCode()
	postLINE(t, a.addr, "line-secret", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"message","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":"01TM","deliveryContext":{"isRedelivery":false},"replyToken":"r",`+
		`"message":{"id":"1","type":"text","text":%q,"quoteToken":"q"}}]}`, start.UnixMilli(), lineUser, strings.ToLower(code)))
	waitForDelivery(t, fakes.Recorder, "line", lineUser, "This LINE account ("+lineUser+") now gets your Herald tests")

	code = askCode()
	me.say(admin, code)
	waitForMessage(t, fakes.Telegram, alice, "This Telegram account (42) now gets your Herald tests")

	code = askCode()
	fakes.Messenger.Interacted(psid, time.Now()) // the platform opens the 24-hour window
	postMessenger(t, a.addr, "app-secret", fmt.Sprintf(`{"object":"page","entry":[{"id":"PAGE","time":%d,"messaging":[`+
		`{"sender":{"id":%q},"recipient":{"id":"PAGE"},"timestamp":%d,"message":{"mid":"m1","text":%q}}]}]}`,
		start.UnixMilli(), psid, start.UnixMilli(), code))
	waitForDelivery(t, fakes.Recorder, "messenger", psid, "This Messenger account ("+psid+") now gets your Herald tests")

	// The code is single use: sent again from another LINE account it is an
	// ordinary message.
	postLINE(t, a.addr, "line-secret", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"message","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":"Uffffffffffffffffffffffffffffffff"},"webhookEventId":"01TN","deliveryContext":{"isRedelivery":false},"replyToken":"r",`+
		`"message":{"id":"2","type":"text","text":%q,"quoteToken":"q"}}]}`, start.UnixMilli(), code))

	askCode()
	list := waitForNth(t, fakes.Telegram, group, "within 10 minutes", n).Text
	for _, want := range []string{"LINE: " + lineUser, "Telegram: 42", "Messenger: " + psid} {
		if !strings.Contains(list, want) {
			t.Errorf("/testme does not list %q:\n%s", want, list)
		}
	}

	g.say(admin, `/new "Hi {name|there}, doors open soon" on telegram,line,messenger now`)
	g.press(admin, waitForMessage(t, fakes.Telegram, group, `"sum:test"`), "sum:test")
	report := waitForMessage(t, fakes.Telegram, group, "Send test to me, per channel").Text
	for _, want := range []string{"Telegram: sent to 42", "LINE: sent to " + lineUser, "Messenger: sent to " + psid} {
		if !strings.Contains(report, want) {
			t.Errorf("the test report lacks %q:\n%s", want, report)
		}
	}
	for _, to := range []struct{ platform, id string }{{"telegram", "42"}, {"line", lineUser}, {"messenger", psid}} {
		waitForDelivery(t, fakes.Recorder, to.platform, to.id, "doors open soon")
	}
	if got := fakes.Recorder.To("line", "Uffffffffffffffffffffffffffffffff"); len(got) != 0 {
		t.Errorf("a second account used the same code and heard %+v", got)
	}

	// LINE now refuses: the report says so in words, per channel.
	fakes.LINE.Faults.Block(lineUser)
	g.say(admin, "/testme remove messenger")
	waitForMessage(t, fakes.Telegram, group, "Removed your Messenger test recipient")
	g.press(admin, waitForMessage(t, fakes.Telegram, group, `"sum:test"`), "sum:test")
	report = waitForNth(t, fakes.Telegram, group, "Send test to me, per channel", 2).Text
	for _, want := range []string{"LINE: " + lineUser + " has blocked the bot", "Messenger: no test recipient yet", "Type /testme for a code"} {
		if !strings.Contains(report, want) {
			t.Errorf("the second test report lacks %q:\n%s", want, report)
		}
	}
}

// waitForNth waits for the nth bot message in chat containing want.
func waitForNth(t *testing.T, tg *platformtest.Telegram, chat int64, want string, nth int) platformtest.TelegramMessage {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var hits []platformtest.TelegramMessage
		for _, m := range tg.Sent(chat) {
			if strings.Contains(m.Text, want) {
				hits = append(hits, m)
			}
		}
		if len(hits) >= nth {
			return hits[nth-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages with %q in chat %d, want %d", len(hits), want, chat, nth)
		}
		time.Sleep(5 * time.Millisecond) // waiting for a condition, not a schedule
	}
}

// waitForDelivery waits until the fake of platform delivered to recipient
// a message containing want.
func waitForDelivery(t *testing.T, r *platformtest.Recorder, platform, recipient, want string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		var got []string
		for _, d := range r.To(platform, recipient) {
			if strings.Contains(d.Content, want) {
				return
			}
			got = append(got, d.Content)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s never got %q; got %q (rejected: %+v)", platform, recipient, want, got, r.Rejected(platform))
		}
		time.Sleep(5 * time.Millisecond) // waiting for a condition, not a schedule
	}
}

// postLINE posts a LINE webhook body signed with secret and wants a 200.
func postLINE(t *testing.T, addr, secret, body string) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest("POST", "http://"+addr+"/webhooks/line", bytes.NewReader([]byte(body)))
	req.Header.Set("X-Line-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	if code := doStatus(t, req); code != http.StatusOK {
		t.Fatalf("LINE webhook answered %d", code)
	}
}

// postMessenger posts a Messenger webhook body signed with the app secret
// and wants a 200.
func postMessenger(t *testing.T, addr, secret, body string) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest("POST", "http://"+addr+"/webhooks/messenger", bytes.NewReader([]byte(body)))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	if code := doStatus(t, req); code != http.StatusOK {
		t.Fatalf("Messenger webhook answered %d", code)
	}
}
