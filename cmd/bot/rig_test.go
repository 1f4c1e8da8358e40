package main

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// platformFakes serves every platform's fake over loopback HTTP until t
// ends.
func platformFakes(t *testing.T) (*platformtest.Server, platformtest.BaseURLs) {
	t.Helper()
	fakes := platformtest.NewServer(nil)
	srv := httptest.NewServer(fakes.Handler())
	t.Cleanup(func() { fakes.Close(); srv.Close() })
	return fakes, fakes.URLs(srv.URL)
}

// broadcastIDIn is the first broadcast ID ("B-7K2Q") in text, as the bot
// names it in a confirmation, an approval request or an Undo offer; "" if
// there is none.
func broadcastIDIn(text string) string { return broadcastIDPattern.FindString(text) }

var broadcastIDPattern = regexp.MustCompile(`B-[2-9A-Z]{4,8}`)

// testConfig is the default configuration with its database in t's temp
// dir and the HTTP side on a free loopback port.
func testConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.Storage.Path = filepath.Join(t.TempDir(), "herald.db")
	cfg.HTTP.Listen = "127.0.0.1:0"
	return cfg
}

// startTestApp starts the wired bot, its scheduler's clock reading now,
// and stops it when t ends, failing t if it does not stop cleanly.
func startTestApp(t *testing.T, cfg Config, now func() time.Time) *app {
	t.Helper()
	a, err := startApp(cfg, slog.New(slog.DiscardHandler), appOptions{SchedulerNow: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.shutdown(); err != nil {
			t.Error(err)
		}
	})
	return a
}

// startClockedApp is startTestApp with the scheduler's clock in the
// test's hands, reading now (UTC) until the test moves it.
func startClockedApp(t *testing.T, cfg Config) (*app, *platformtest.Clock) {
	t.Helper()
	clock := platformtest.NewClock(time.Now().UTC())
	return startTestApp(t, cfg, clock.Now), clock
}

// subscribe stores the people ids on p, subscribed and last active at, with
// tags: the audience an end-to-end test sends to.
func subscribe(t *testing.T, st storage.Backend, p herald.Platform, at time.Time, tags []string, ids ...string) {
	t.Helper()
	subs := make([]herald.Subscriber, 0, len(ids))
	for _, id := range ids {
		subs = append(subs, herald.Subscriber{Platform: p, ID: id, Kind: herald.KindUser, State: herald.Subscribed,
			Tags: tags, FirstSeen: at, LastInteraction: at})
	}
	if err := st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
}

// addAdminGroup makes group a Telegram supergroup "Herald admins" whose
// administrators are admins.
func addAdminGroup(tg *platformtest.Telegram, group int64, admins ...int64) {
	tg.AddChat(platformtest.TelegramChat{ID: group, Type: "supergroup", Title: "Herald admins"})
	for _, id := range admins {
		tg.SetChatMember(group, id, "administrator")
	}
}

// adminGroupRig is the start most end-to-end tests share: the platform
// fakes, the supergroup group whose administrators are admins, and a test
// configuration whose Telegram frontend runs there as the bot token.
func adminGroupRig(t *testing.T, token string, group int64, admins ...int64) (*platformtest.Server, platformtest.BaseURLs, Config) {
	t.Helper()
	fakes, u := platformFakes(t)
	addAdminGroup(fakes.Telegram, group, admins...)
	cfg := testConfig(t)
	cfg.Telegram = TelegramConfig{Token: token, APIURL: u.Telegram, AdminChatIDs: []int64{group}}
	return fakes, u, cfg
}

// groupAndLINE is adminGroupRig with the LINE channel on its fake too.
func groupAndLINE(t *testing.T, token string, group int64, admins ...int64) (*platformtest.Server, platformtest.BaseURLs, Config) {
	t.Helper()
	fakes, u, cfg := adminGroupRig(t, token, group, admins...)
	withLINE(&cfg, u)
	return fakes, u, cfg
}

// withLINE points the LINE channel at its fake.
func withLINE(cfg *Config, u platformtest.BaseURLs) {
	cfg.LINE = LINEConfig{ChannelSecret: "s", ChannelToken: "line-token", APIURL: u.LINE, DataAPIURL: u.LINEData}
}

// tgChat is a chat on the Telegram fake where admins type and press
// buttons, as the Bot API would deliver it to the bot.
type tgChat struct {
	t     *testing.T
	tg    *platformtest.Telegram
	token string
	id    int64
	chat  map[string]any
	msgID int
}

// groupChat is the admin supergroup id (see addAdminGroup).
func groupChat(t *testing.T, tg *platformtest.Telegram, token string, id int64) *tgChat {
	return &tgChat{t: t, tg: tg, token: token, id: id, chat: map[string]any{"id": id, "type": "supergroup", "title": "Herald admins"}}
}

// privateChat is the bot's private chat with the user id.
func privateChat(t *testing.T, tg *platformtest.Telegram, token string, id int64, name string) *tgChat {
	return &tgChat{t: t, tg: tg, token: token, id: id, chat: map[string]any{"id": id, "type": "private", "first_name": name}}
}

// groupUser is the from of an update by the user id.
func groupUser(id int64, name string) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": name, "language_code": "en"}
}

func (c *tgChat) push(upd map[string]any) {
	c.t.Helper()
	if _, err := c.tg.PushUpdate(c.token, upd); err != nil {
		c.t.Fatal(err)
	}
}

// say is a message by from in the chat.
func (c *tgChat) say(from map[string]any, text string) {
	c.t.Helper()
	c.msgID++
	c.push(map[string]any{"message": map[string]any{"message_id": c.msgID, "date": time.Now().Unix(), "chat": c.chat, "from": from, "text": text}})
}

// press is from's tap on the button with data under the bot's message m.
func (c *tgChat) press(from map[string]any, m platformtest.TelegramMessage, data string) {
	c.t.Helper()
	if !strings.Contains(m.ReplyMarkup, `"`+data+`"`) {
		c.t.Fatalf("the message has no button %q: %s\n%s", data, m.Text, m.ReplyMarkup)
	}
	c.msgID++
	c.push(map[string]any{"callback_query": map[string]any{"id": "cq-" + strconv.Itoa(c.msgID), "from": from, "chat_instance": "ci", "data": data,
		"message": map[string]any{"message_id": m.MessageID, "date": m.Date.Unix(), "chat": c.chat, "text": m.Text,
			"reply_markup": json.RawMessage(m.ReplyMarkup)}}})
}

// confirmNew is from typing the one-liner line ("/new ...") in the chat
// and pressing Confirm on the summary the bot answers with.
func (c *tgChat) confirmNew(from map[string]any, line string) {
	c.t.Helper()
	c.say(from, line)
	c.press(from, waitForMessage(c.t, c.tg, c.id, `"sum:confirm"`), "sum:confirm")
}

// patience is how long a test waits for the bot before calling it a hang:
// only a hang may reach it, so it is generous (CI runs the packages side
// by side, with PostgreSQL, on 2 cores; 20 s was reached under that load).
const patience = 60 * time.Second

// waitUntil polls cond, for what the bot does on its own goroutines; the
// deadline only turns a hang into a failure.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond) // waiting for a condition, not a schedule
	}
}

// slackThreadMessage waits for the bot's newest message in a Slack thread
// whose text or blocks contain want.
func slackThreadMessage(t *testing.T, sl *platformtest.Slack, channel, thread, want string) platformtest.SlackMessage {
	t.Helper()
	var found platformtest.SlackMessage
	waitUntil(t, "the Slack thread shows "+want, func() bool {
		msgs := sl.Messages(channel)
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].ThreadTS == thread && (strings.Contains(msgs[i].Text, want) || strings.Contains(msgs[i].Blocks, want)) {
				found = msgs[i]
				return true
			}
		}
		return false
	})
	return found
}
