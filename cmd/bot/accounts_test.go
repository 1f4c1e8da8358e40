package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/api/apiclient"
	"github.com/heraldbot/herald/platformtest"
)

const (
	shopLINESecret, shopLINEToken = "shop-line-secret", "shop-line-token"
	shopBotToken                  = "555:shop-bot"
	shopPageToken, shopAppSecret  = "shop-page-token", "shop-app-secret"
)

// twoAccountRig is the admin group rig with two accounts on each platform:
// the top-level ones (the default accounts, "main") and "shop".
func twoAccountRig(t *testing.T, token string, group int64, admins ...int64) (*platformtest.Server, Config) {
	t.Helper()
	fakes, u, cfg := adminGroupRig(t, token, group, admins...)
	cfg.LINE = LINEConfig{ChannelSecret: "line-secret", ChannelToken: "line-token", APIURL: u.LINE, DataAPIURL: u.LINEData,
		Accounts: []LINEAccount{{Name: "shop", ChannelSecret: shopLINESecret, ChannelToken: shopLINEToken}}}
	cfg.Telegram.Accounts = []TelegramAccount{{Name: "shop", Token: shopBotToken}}
	cfg.Messenger = MessengerConfig{PageToken: "page-token", AppSecret: "app-secret", VerifyToken: "verify", APIURL: u.Messenger, APIVersion: "v26.0",
		Accounts: []MessengerAccount{{Name: "shop", PageToken: shopPageToken, AppSecret: shopAppSecret, VerifyToken: "verify-shop", PageID: "900100"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("the two-account config is refused:\n%v", err)
	}
	return fakes, cfg
}

// twoAccountApp runs the bot on twoAccountRig's config, its scheduler's
// clock fixed at the returned start, with admin alice in group.
func twoAccountApp(t *testing.T, token string, group, alice int64) (*platformtest.Server, Config, *app, time.Time) {
	t.Helper()
	fakes, cfg := twoAccountRig(t, token, group, alice)
	start := time.Now()
	return fakes, cfg, startTestApp(t, cfg, func() time.Time { return start }), start
}

// signedPost posts body to url signed with secret as LINE (base64) or
// Messenger (sha256=hex) signs it, and returns the status.
func signedPost(t *testing.T, url, platform, secret, body string) int {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
	if platform == "line" {
		req.Header.Set("X-Line-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	} else {
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	return doStatus(t, req)
}

func lineFollow(user, eventID string) string {
	return fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"follow","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":%q,"deliveryContext":{"isRedelivery":false},"replyToken":"r"}]}`,
		time.Now().UnixMilli(), user, eventID)
}

func messengerHello(psid, mid string) string { return messengerHelloTo("100", psid, mid) }

// messengerHelloTo is psid writing to the page with ID page.
func messengerHelloTo(page, psid, mid string) string {
	now := time.Now().UnixMilli()
	return fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[`+
		`{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":%q,"text":"hello"}}]}]}`, page, now, psid, page, now, mid)
}

// Each account's end users come in on its own route, checked with its own
// secret, and become that account's subscribers: the same LINE user on two
// channels and the same Telegram user on two bots are two subscribers. A
// signature valid for one account is refused on the other's route; the
// default accounts keep their routes.
func TestEachAccountHasItsOwnWebhookAndSubscribers(t *testing.T) {
	const group, alice, bob = int64(-100770), int64(42), int64(7001)
	const token = "123456:accounts-inbound"
	const lineUser, psid = "U0123456789abcdef0123456789abcdef", "PSID-1"
	fakes, cfg := twoAccountRig(t, token, group, alice)
	// A third bot takes its updates by webhook, with its own secret.
	cfg.Telegram.Accounts = append(cfg.Telegram.Accounts, TelegramAccount{Name: "vip", Token: "666:vip-bot",
		WebhookURL: "https://herald.example.org/webhooks/telegram/vip", WebhookSecret: "vip-secret"})
	a := startTestApp(t, cfg, time.Now)
	base := "http://" + a.addr
	tgUpdate := func(secret string, updateID int, from int64) int {
		t.Helper()
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":1,"date":%d,"chat":{"id":%d,"type":"private","first_name":"Vi"},`+
			`"from":{"id":%d,"is_bot":false,"first_name":"Vi"},"text":"hi"}}`, updateID, time.Now().Unix(), from, from)
		req, _ := http.NewRequest("POST", base+"/webhooks/telegram/vip", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		return doStatus(t, req)
	}
	if got := tgUpdate("vip-secret", 1, 8001); got != http.StatusOK {
		t.Errorf("the vip bot's webhook with its secret: %d", got)
	}
	if got := tgUpdate("wrong", 2, 8002); got == http.StatusOK {
		t.Errorf("the vip bot's webhook took a wrong secret")
	}

	for _, c := range []struct {
		url, platform, secret, body string
		want                        int
	}{
		{base + "/webhooks/line", "line", "line-secret", lineFollow(lineUser, "01A"), http.StatusOK},
		{base + "/webhooks/line/shop", "line", shopLINESecret, lineFollow(lineUser, "01B"), http.StatusOK},
		{base + "/webhooks/line/shop", "line", "line-secret", lineFollow("Uffffffffffffffffffffffffffffffff", "01C"), http.StatusUnauthorized},
		{base + "/webhooks/line", "line", shopLINESecret, lineFollow("Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "01D"), http.StatusUnauthorized},
		{base + "/webhooks/messenger/shop", "messenger", shopAppSecret, messengerHello(psid, "m1"), http.StatusOK},
		{base + "/webhooks/messenger/shop", "messenger", "app-secret", messengerHello("PSID-2", "m2"), http.StatusUnauthorized},
		{base + "/webhooks/messenger", "messenger", shopAppSecret, messengerHello("PSID-3", "m3"), http.StatusUnauthorized},
		// The shop page in the top-level page's app: its events come to
		// the app's one webhook and are routed by page ID.
		{base + "/webhooks/messenger", "messenger", "app-secret", messengerHelloTo("900100", "PSID-4", "m4"), http.StatusOK},
	} {
		if got := signedPost(t, c.url, c.platform, c.secret, c.body); got != c.want {
			t.Errorf("POST %s signed with %s: %d, want %d", strings.TrimPrefix(c.url, base), c.secret, got, c.want)
		}
	}
	// Bob writes to the shop bot; the shop bot polls its own updates.
	shopChat := privateChat(t, fakes.Telegram, shopBotToken, bob, "Bob")
	shopChat.say(groupUser(bob, "Bob"), "hello shop")

	want := []herald.SubscriberKey{
		{Platform: herald.LINE, ID: lineUser},
		{Platform: herald.LINE, Account: "shop", ID: lineUser},
		{Platform: herald.Messenger, Account: "shop", ID: psid},
		{Platform: herald.Telegram, Account: "shop", ID: fmt.Sprint(bob)},
		{Platform: herald.Telegram, Account: "vip", ID: "8001"},
		{Platform: herald.Messenger, Account: "shop", ID: "PSID-4"},
	}
	for _, k := range want {
		waitUntil(t, k.String()+" is stored", func() bool {
			sub, err := a.store.Subscriber(k)
			return err == nil && sub.Account == k.Account
		})
	}
	for _, k := range []herald.SubscriberKey{{Platform: herald.Telegram, ID: fmt.Sprint(bob)}, {Platform: herald.Messenger, ID: psid},
		{Platform: herald.LINE, Account: "shop", ID: "Uffffffffffffffffffffffffffffffff"}, {Platform: herald.LINE, ID: "Ueeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"},
		{Platform: herald.Telegram, Account: "vip", ID: "8002"}, {Platform: herald.Messenger, ID: "PSID-4"}} {
		if _, err := a.store.Subscriber(k); err == nil {
			t.Errorf("%s is stored: it came in on another account's route", k)
		}
	}
	// /metrics counts each account's webhook requests and events under
	// its own account label.
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	scraped, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`herald_webhook_requests_total{account="shop",platform="line",result="ok"} 1`,
		`herald_webhook_requests_total{account="shop",platform="line",result="bad_signature"} 1`,
		`herald_webhook_requests_total{account="main",platform="line",result="ok"} 1`,
		`herald_inbound_events_total{account="shop",kind="subscribe",platform="line"} 1`,
		`herald_webhook_requests_total{account="vip",platform="telegram",result="ok"} 1`} {
		if !strings.Contains(string(scraped), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// sentBy lists who got messages on platform through token, as "recipient".
func sentBy(r *platformtest.Recorder, platform, token string) []string {
	var out []string
	for _, d := range r.Deliveries(platform) {
		if d.Token == token && !strings.HasPrefix(d.Recipient, "-") { // not the admin group
			out = append(out, d.Recipient)
		}
	}
	return out
}

// An admin in the Telegram group sends to LINE · Shop, both Telegram bots
// and Messenger · Shop by a one-liner: the summary names and counts each account, each
// account's subscribers get it through their own account's token, nobody
// on LINE · Main does, and the report breaks the run down by account.
func TestBroadcastToChosenAccountsFromTheAdminGroup(t *testing.T) {
	const group, alice = int64(-100771), int64(42)
	const token = "123456:accounts-send"
	fakes, cfg, a, start := twoAccountApp(t, token, group, alice)
	st := a.store
	put := func(p herald.Platform, account string, ids ...string) {
		t.Helper()
		var subs []herald.Subscriber
		for _, id := range ids {
			subs = append(subs, herald.Subscriber{Platform: p, Account: account, ID: id, Kind: herald.KindUser, State: herald.Subscribed, LastInteraction: start})
		}
		if err := st.PutSubscribers(subs); err != nil {
			t.Fatal(err)
		}
	}
	const u1, u2, u3 = "U00000000000000000000000000000001", "U00000000000000000000000000000002", "U00000000000000000000000000000003"
	put(herald.LINE, "", u1, u2)
	put(herald.LINE, "shop", u1, u3)
	put(herald.Telegram, "", "1001")
	put(herald.Telegram, "shop", "1001", "1002")
	put(herald.Messenger, "", "PSID-1")
	put(herald.Messenger, "shop", "PSID-1")
	fakes.Messenger.Interacted("PSID-1", start) // inside the 24-hour window

	at := start.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	g := groupChat(t, fakes.Telegram, token, group)
	g.say(groupUser(alice, "Alice"), `/new "Shop news" on line:shop, telegram, messenger:shop at `+at.Format(herald.LocalLayout))
	summary := waitForMessage(t, fakes.Telegram, group, `"sum:confirm"`)
	for _, want := range []string{"LINE · Shop, Telegram · Main, Telegram · Shop, Messenger · Shop", "LINE · Shop 2 · Telegram · Main 1 · Telegram · Shop 2 · Messenger · Shop 1",
		"Time to send: LINE · Shop 2 people · under a minute; Telegram · Main 1 person · under a minute; Telegram · Shop 2 people"} {
		if !strings.Contains(summary.Text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary.Text)
		}
	}
	g.press(groupUser(alice, "Alice"), summary, "sum:confirm")
	waitForMessage(t, fakes.Telegram, group, "scheduled for 6 recipients")

	a.parts.sched.Tick(t.Context(), at)
	if err := a.parts.dispatch.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	rec := fakes.Recorder
	for _, c := range []struct {
		platform, token string
		want            string
	}{{"line", shopLINEToken, u1 + " " + u3}, {"line", "line-token", ""}, {"telegram", token, "1001"}, {"telegram", shopBotToken, "1001 1002"},
		{"messenger", shopPageToken, "PSID-1"}, {"messenger", "page-token", ""}} {
		got := sentBy(rec, c.platform, c.token)
		slices.Sort(got)
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s through %s reached %v, want %q", c.platform, c.token, got, c.want)
		}
	}
	report := waitForMessage(t, fakes.Telegram, group, "Report")
	for _, want := range []string{"LINE · Shop: ✅ 2 sent", "Telegram · Main: ✅ 1 sent", "Telegram · Shop: ✅ 2 sent", "Messenger · Shop: ✅ 1 sent", "✅ 6 sent"} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("the report lacks %q:\n%s", want, report.Text)
		}
	}
	g.say(groupUser(alice, "Alice"), "/show "+broadcastIDIn(report.Text))
	show := waitForMessage(t, fakes.Telegram, group, "Run 1 ·")
	for _, want := range []string{"LINE · Shop 2 · Telegram · Main 1 · Telegram · Shop 2 · Messenger · Shop 1", "LINE · Shop: ✅ 2 sent · ❌ 0 failed", "Telegram · Shop: ✅ 2 sent"} {
		if !strings.Contains(show.Text, want) {
			t.Errorf("/show lacks %q:\n%s", want, show.Text)
		}
	}
}

// An admin restricted to LINE · Shop (admin_accounts) is offered only it,
// reaches only it when they say "on line", and is told which accounts
// they may use when they name another.
func TestRestrictedAdminUsesOnlyTheirAccounts(t *testing.T) {
	const group, alice, bob = int64(-100772), int64(42), int64(43)
	const token = "123456:accounts-restricted"
	fakes, cfg := twoAccountRig(t, token, group, alice, bob)
	cfg.Telegram.AdminUserIDs = []int64{alice, bob}
	cfg.AdminAccounts = []AdminAccounts{{Admin: "telegram:43", Accounts: []string{"line:shop"}}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	a := startTestApp(t, cfg, func() time.Time { return start })
	if err := a.store.PutSubscribers([]herald.Subscriber{
		{Platform: herald.LINE, ID: "U00000000000000000000000000000001", Kind: herald.KindUser, State: herald.Subscribed},
		{Platform: herald.LINE, Account: "shop", ID: "U00000000000000000000000000000001", Kind: herald.KindUser, State: herald.Subscribed},
	}); err != nil {
		t.Fatal(err)
	}
	g := groupChat(t, fakes.Telegram, token, group)
	b := groupUser(bob, "Bob")

	g.say(b, `/new "Shop only" on line`)
	summary := waitForMessage(t, fakes.Telegram, group, `"sum:confirm"`)
	if !strings.Contains(summary.Text, "LINE · Shop") || strings.Contains(summary.Text, "LINE · Main") {
		t.Errorf("the restricted admin's \"on line\" is not LINE · Shop alone:\n%s", summary.Text)
	}
	g.say(b, "/cancel")
	g.press(b, waitForMessage(t, fakes.Telegram, group, `"wiz:discard"`), "wiz:discard")
	for i, line := range []string{`/new "Not mine" on line:main`, `/new "Not mine" on telegram`} {
		g.say(b, line)
		m := waitForNth(t, fakes.Telegram, group, "You can't send from", i+1)
		if !strings.Contains(m.Text, "Your accounts: LINE · Shop.") {
			t.Errorf("%s: %s", line, m.Text)
		}
	}
	// In the wizard (private chats, where admins answer without replying),
	// Bob has one account to use, so the channel step is skipped for him;
	// Alice, not restricted, is offered every account.
	cfgAdmins := func(id int64, name string) *tgChat { return privateChat(t, fakes.Telegram, token, id, name) }
	bobChat, aliceChat := cfgAdmins(bob, "Bob"), cfgAdmins(alice, "Alice")
	bobChat.say(b, "/new")
	bobChat.say(b, "Shop spring sale")
	waitForMessage(t, fakes.Telegram, bob, "Step 3")
	for _, m := range fakes.Telegram.Sent(bob) {
		if strings.Contains(m.ReplyMarkup, `"acc:`) || strings.Contains(m.ReplyMarkup, `"ch:`) {
			t.Errorf("the restricted admin is asked for a channel:\n%s %s", m.Text, m.ReplyMarkup)
		}
	}
	aliceChat.say(groupUser(alice, "Alice"), "/new")
	aliceChat.say(groupUser(alice, "Alice"), "Everyone's sale")
	all := waitForMessage(t, fakes.Telegram, alice, `"acc:line:shop"`)
	for _, want := range []string{`"acc:line"`, `"acc:telegram:shop"`, `"acc:messenger"`} {
		if !strings.Contains(all.ReplyMarkup, want) {
			t.Errorf("Alice is not offered %s:\n%s", want, all.ReplyMarkup)
		}
	}
}

// The REST API counts and targets accounts: audience.accounts narrows a
// channel to an account, the count says how many are on each, a
// subscriber of a named account is read at platform@account, and an
// account the bot does not have is a 422 on the field.
func TestAPIAudienceByAccount(t *testing.T) {
	start := time.Now()
	a, _, c := startAPIApp(t, start, func(cfg *Config, u platformtest.BaseURLs) {
		cfg.Telegram.Accounts = []TelegramAccount{{Name: "shop", Token: shopBotToken}}
	})
	if err := a.store.PutSubscribers([]herald.Subscriber{
		{Platform: herald.Telegram, ID: "1001", Kind: herald.KindUser, State: herald.Subscribed},
		{Platform: herald.Telegram, Account: "shop", ID: "1001", Kind: herald.KindUser, State: herald.Subscribed, Name: "Bo"},
		{Platform: herald.Telegram, Account: "shop", ID: "1002", Kind: herald.KindUser, State: herald.Subscribed},
	}); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	count := func(accounts ...string) (int, map[string]int, int) {
		t.Helper()
		aud := apiclient.Audience{Channels: []apiclient.AudienceChannels{apiclient.AudienceChannelsTelegram}}
		if len(accounts) > 0 {
			aud.Accounts = &accounts
		}
		res, err := c.CountAudienceWithResponse(ctx, apiclient.CountAudienceJSONRequestBody{Audience: aud})
		if err != nil {
			t.Fatal(err)
		}
		if res.JSON200 == nil {
			return 0, nil, res.StatusCode()
		}
		var by map[string]int
		if res.JSON200.ByAccount != nil {
			by = *res.JSON200.ByAccount
		}
		return *res.JSON200.Total, by, res.StatusCode()
	}
	if total, by, _ := count(); total != 3 || by["telegram"] != 1 || by["telegram:shop"] != 2 {
		t.Errorf("every account: %d, by account %v; want 3 = 1 + 2", total, by)
	}
	for _, c := range []struct {
		accounts []string
		want     int
	}{{[]string{"telegram:shop"}, 2}, {[]string{"telegram:main"}, 1}, {[]string{"telegram"}, 1}} {
		if total, _, _ := count(c.accounts...); total != c.want {
			t.Errorf("accounts %v: %d, want %d", c.accounts, total, c.want)
		}
	}
	if _, _, status := count("telegram:outlet"); status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown account: status %d, want 422", status)
	}
	sub, err := c.GetSubscriberWithResponse(ctx, apiclient.Platform("telegram@shop"), "1001")
	if err != nil || sub.JSON200 == nil || sub.JSON200.Account == nil || *sub.JSON200.Account != "shop" || *sub.JSON200.Name != "Bo" {
		t.Errorf("GET telegram@shop/1001: %v %s", err, sub.Body)
	}
}

// The demo with a config of two LINE channels: /sync line syncs each
// channel's own friends into its own account and says so line by line.
func TestDemoSyncsEachLINEAccount(t *testing.T) {
	cfg, _ := writeConfig(t, "line:\n  channel_secret: s\n  channel_token: t\n  accounts:\n    - { name: shop, channel_secret: s2, channel_token: shop-token }\n")
	out := runDemo(t, "/sync line\n", "-config", cfg)
	main := regexp.MustCompile(`🔄 LINE · Main followers: [\d,]+ — (\d+) added, `).FindStringSubmatch(out)
	shop := fmt.Sprintf("🔄 LINE · Shop followers: %d — %d added, %d already known", demoAccountFollowers+demoAccountNewFollowers, demoAccountNewFollowers, demoAccountFollowers)
	if main == nil || main[1] != fmt.Sprint(demoNewFollowers) || !strings.Contains(out, shop) {
		t.Errorf("/sync line in the demo with two LINE channels: want LINE · Main with %d added and %q:\n%s", demoNewFollowers, shop, out)
	}
}
