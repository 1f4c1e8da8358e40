package telegram

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/internal/inboundrig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

const token = "123456:TEST-token"

type rig struct {
	inboundrig.Rig
	store   *storage.Store
	inbox   *inbound.Inbox
	fake    *platformtest.Telegram
	metrics *metrics.Metrics
	h       *Handler
	api     *httptest.Server
}

type rigOptions struct {
	adminChats []int64
	admin      AdminHandler
	secret     string
	catalog    *locales.Catalog
	logger     *slog.Logger
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	return newRigOver(t, o, inboundrig.New(t))
}

// newRigOver is newRig recording into base (a restarted one).
func newRigOver(t *testing.T, o rigOptions, base inboundrig.Rig) *rig {
	t.Helper()
	fake := platformtest.NewTelegram(platformtest.NewRecorder(nil))
	api := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); api.Close() })
	endpoint := base.Endpoint()
	endpoint.Logger = o.logger
	h, err := New(Options{Token: token, APIURL: api.URL, PollTimeout: 2 * time.Second, Endpoint: endpoint,
		AdminChatIDs: o.adminChats, Admin: o.admin, WebhookSecret: o.secret, Moves: base.Store,
		Catalog: o.catalog})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{Rig: base, store: base.Store, inbox: base.Inbox, fake: fake, metrics: base.Metrics, h: h, api: api}
}

// poll runs the long-polling loop until every pushed update is confirmed,
// then stops it and lets the follow-ups finish.
func (r *rig) poll(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = r.h.Poll(ctx) })
	deadline := time.Now().Add(20 * time.Second)
	for r.fake.Pending(token) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // waiting for a condition, not for a schedule
	}
	cancel()
	wg.Wait()
	if n := r.fake.Pending(token); n > 0 {
		t.Fatalf("%d updates never confirmed", n)
	}
	if err := r.inbox.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) subscriber(t *testing.T, id int64) herald.Subscriber {
	t.Helper()
	sub, err := r.store.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: strconv.FormatInt(id, 10)})
	if err != nil {
		t.Fatalf("subscriber %d: %v", id, err)
	}
	return sub
}

type obj = map[string]any

func user(id int64, lang string) obj {
	return obj{"id": id, "is_bot": false, "first_name": "Ana", "last_name": "Chen", "language_code": lang}
}

func privateChat(id int64) obj { return obj{"id": id, "type": "private", "first_name": "Ana"} }

func message(chat obj, from obj, text string) obj {
	return obj{"message": obj{"message_id": 1, "date": 1763888400, "chat": chat, "from": from, "text": text}}
}

func membership(chat obj, from obj, old, new string) obj {
	return obj{"my_chat_member": obj{"chat": chat, "from": from, "date": 1763888400,
		"old_chat_member": obj{"status": old, "user": obj{"id": 123456, "is_bot": true, "first_name": "Herald"}},
		"new_chat_member": obj{"status": new, "user": obj{"id": 123456, "is_bot": true, "first_name": "Herald"}}}}
}

func TestStartWithDeepLinkStopAndBlock(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.fake.PushUpdate(token, message(privateChat(501), user(501, "zh-hant"), "/start autumn_2026"))
	r.fake.PushUpdate(token, message(privateChat(502), user(502, "en"), "/start"))
	r.fake.PushUpdate(token, message(privateChat(502), user(502, "en"), "/stop"))
	r.fake.PushUpdate(token, message(privateChat(503), user(503, "en"), "/start"))
	r.fake.PushUpdate(token, membership(privateChat(503), user(503, "en"), "member", "kicked"))
	r.fake.PushUpdate(token, message(privateChat(504), user(504, "ja"), "/start"))
	r.fake.PushUpdate(token, message(privateChat(504), user(504, "ja"), "配信停止"))
	r.poll(t)

	a := r.subscriber(t, 501)
	if a.State != herald.Subscribed || a.Attributes[inbound.StartParamAttr] != "autumn_2026" || a.Name != "Ana Chen" || a.Locale != "zh-hant" {
		t.Errorf("/start with payload: %+v", a)
	}
	if b := r.subscriber(t, 502); b.State != herald.Unsubscribed {
		t.Errorf("/stop left state %q", b.State)
	}
	if c := r.subscriber(t, 503); c.State != herald.Blocked {
		t.Errorf("blocking the bot left state %q", c.State)
	}
	if d := r.subscriber(t, 504); d.State != herald.Unsubscribed {
		t.Errorf("配信停止 left state %q", d.State)
	}
	if sent := r.fake.Sent(504); len(sent) != 2 || !strings.Contains(sent[1].Text, "配信を停止しました") {
		t.Errorf("messages to 504 = %+v, want the stop confirmed in Japanese", sent)
	}
	sent := r.fake.Sent(502)
	if len(sent) != 2 || !strings.HasPrefix(sent[0].Text, "Welcome") || !strings.Contains(sent[1].Text, "unsubscribed") {
		t.Errorf("messages to 502 = %+v, want a welcome then a stop confirmation", sent)
	}
}

func TestGroupsJoinedLeftAndMigrated(t *testing.T) {
	r := newRig(t, rigOptions{})
	group := obj{"id": -1001, "type": "group", "title": "Runners"}
	channel := obj{"id": -100777, "type": "channel", "title": "News"}
	r.fake.PushUpdate(token, membership(group, user(9, "en"), "left", "member"))
	r.fake.PushUpdate(token, membership(channel, user(9, "en"), "left", "administrator"))
	r.fake.PushUpdate(token, membership(channel, user(9, "en"), "administrator", "kicked"))
	r.fake.PushUpdate(token, obj{"message": obj{"message_id": 2, "date": 1763888401, "chat": group,
		"from": user(9, "en"), "migrate_to_chat_id": -100200}})
	r.fake.PushUpdate(token, message(obj{"id": -100200, "type": "supergroup", "title": "Runners"}, user(9, "en"), "STOP"))
	r.poll(t)

	g := r.subscriber(t, -100200)
	if g.Kind != herald.KindGroup || g.State != herald.Subscribed || g.Name != "Runners" {
		t.Errorf("the supergroup (and a member's STOP inside it must not unsubscribe it): %+v", g)
	}
	if old := r.subscriber(t, -1001); old.ID != "-100200" || old.Seq != g.Seq {
		t.Errorf("the migrated-away group is %s (seq %d), want the supergroup's record (seq %d)", old.ID, old.Seq, g.Seq)
	}
	if c := r.subscriber(t, -100777); c.State != herald.Unsubscribed {
		t.Errorf("channel the bot was removed from: %q", c.State)
	}
}

func TestCallbackQueriesAreAnsweredAndCounted(t *testing.T) {
	r := newRig(t, rigOptions{})
	b := herald.Broadcast{Name: "Poll", Status: herald.StatusCompleted, Content: herald.Content{Kind: herald.TextContent, Text: "?",
		Buttons: []herald.Button{{ID: "b1", Label: "Yes", Kind: herald.ActionButton, AddTags: []string{"yes"}}}}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	data := herald.EncodePostback(b.ID, "b1")
	r.fake.PushUpdate(token, message(privateChat(601), user(601, "en"), "/start"))
	r.fake.PushUpdate(token, obj{"callback_query": obj{"id": "cq1", "from": user(601, "en"), "chat_instance": "x", "data": data,
		"message": obj{"message_id": 5, "date": 1763888400, "chat": privateChat(601), "text": "?"}}})
	r.fake.PushUpdate(token, obj{"callback_query": obj{"id": "cq2", "from": user(602, "en"), "chat_instance": "y", "data": data,
		"message": obj{"message_id": 6, "date": 1763888400, "chat": obj{"id": -1001, "type": "supergroup", "title": "G"}, "text": "?"}}})
	r.poll(t)

	if s := r.subscriber(t, 601); !s.HasTag("yes") {
		t.Errorf("tap action not applied: %v", s.Tags)
	}
	if _, err := r.store.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "602"}); err == nil {
		t.Error("a group member who tapped became a subscriber without starting the bot")
	}
	if taps, _ := r.store.Taps(b.ID); len(taps) != 1 || taps[0].Taps != 2 || taps[0].Unique != 2 {
		t.Errorf("taps = %+v, want 2 taps by 2 people", taps)
	}
	answered := map[string]bool{}
	for _, a := range r.fake.CallbackAnswers() {
		answered[a.CallbackQueryID] = true
	}
	if !answered["cq1"] || !answered["cq2"] {
		t.Errorf("callback answers = %+v, want both queries answered", r.fake.CallbackAnswers())
	}
}

type adminSpy struct {
	mu   sync.Mutex
	upds []int64
}

func (a *adminSpy) HandleAdminUpdate(_ context.Context, upd *models.Update) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.upds = append(a.upds, upd.ID)
	return nil
}

func TestAdminChatsAreNeverRecipients(t *testing.T) {
	admin := obj{"id": -5000, "type": "supergroup", "title": "Staff"}
	for _, withAdmin := range []bool{false, true} {
		spy := &adminSpy{}
		o := rigOptions{adminChats: []int64{-5000}}
		if withAdmin {
			o.admin = spy
		}
		r := newRig(t, o)
		r.fake.PushUpdate(token, membership(admin, user(1, "en"), "left", "administrator"))
		r.fake.PushUpdate(token, message(admin, user(1, "en"), "/new"))
		r.poll(t)
		if _, err := r.store.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "-5000"}); err == nil {
			t.Errorf("admin=%v: the admin group became a broadcast recipient", withAdmin)
		}
		if withAdmin && len(spy.upds) != 2 {
			t.Errorf("admin handler got %d updates, want 2", len(spy.upds))
		}
	}
}

func TestWebhookChecksTheSecretToken(t *testing.T) {
	r := newRig(t, rigOptions{secret: "s3cret"})
	srv := httptest.NewServer(r.h.WebhookHandler())
	t.Cleanup(srv.Close)
	ctx := context.Background()
	// The fake posts pushed updates to the webhook the bot set, as Telegram does.
	if _, err := r.h.bot.SetWebhook(ctx, &bot.SetWebhookParams{URL: srv.URL, SecretToken: "wrong"}); err != nil {
		t.Fatal(err)
	}
	r.fake.PushUpdate(token, message(privateChat(701), user(701, "en"), "/start"))
	if r.fake.Pending(token) != 1 {
		t.Fatal("an update posted with the wrong secret was accepted")
	}
	if _, err := r.h.bot.SetWebhook(ctx, &bot.SetWebhookParams{URL: srv.URL, SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	r.fake.PushUpdate(token, message(privateChat(702), user(702, "en"), "/start"))
	if n := r.fake.Pending(token); n != 0 {
		t.Fatalf("%d updates still pending after the right secret", n)
	}
	_ = r.inbox.Close(ctx)
	r.subscriber(t, 701) // redelivered once the secret was right
	r.subscriber(t, 702)
	w := httptest.NewRecorder()
	r.metrics.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(w.Body.String(), `herald_webhook_requests_total{account="main",platform="telegram",result="bad_signature"} 1`) {
		t.Error("the wrong secret was not counted")
	}
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no secret header: %d, want 401", resp.StatusCode)
	}
}
