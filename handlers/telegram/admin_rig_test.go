package telegram

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

const (
	adminGroup int64 = -1001234
	alice      int64 = 11 // administrator of the group
	bob        int64 = 12 // creator of the group
	mallory    int64 = 13 // a plain member
)

// adminRig is a Telegram admin group over the fake Bot API, long-polled by
// the real Handler, with the real flows engine behind the admin side.
type adminRig struct {
	t     *testing.T
	fake  *platformtest.Telegram
	api   *httptest.Server
	a     *Admin
	store *storage.Store
	cat   *locales.Catalog
	msgID int
	cqID  int
}

func newAdminRig(t *testing.T, adminUsers ...int64) *adminRig {
	t.Helper()
	fake := platformtest.NewTelegram(platformtest.NewRecorder(nil))
	api := httptest.NewServer(fake)
	fake.AddChat(platformtest.TelegramChat{ID: adminGroup, Type: "supergroup", Title: "Herald admins"})
	fake.SetChatMember(adminGroup, alice, "administrator")
	fake.SetChatMember(adminGroup, bob, "creator")
	acc := adminchat.AccessByFrontend{}
	e, store, cat := flowsrig.New(t, acc)
	a, err := NewAdmin(AdminOptions{Token: token, APIURL: api.URL, Common: adminchat.Common{Flows: e, Audit: store, Catalog: cat}, AdminChatIDs: []int64{adminGroup}, AdminUserIDs: adminUsers,
		HTML: dtelegram.HTML})
	if err != nil {
		t.Fatal(err)
	}
	acc[Frontend] = a
	in := inbound.New(store, inbound.Options{})
	h, err := New(Options{Token: token, APIURL: api.URL, PollTimeout: 2 * time.Second, Endpoint: inbound.Endpoint{Inbox: in}, AdminChatIDs: []int64{adminGroup}, AdminUserIDs: adminUsers, Admin: a})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = h.Poll(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = a.Close(context.Background())
		_ = in.Close(context.Background())
		fake.Close()
		api.Close()
	})
	return &adminRig{t: t, fake: fake, api: api, a: a, store: store, cat: cat, msgID: 5000}
}

// push queues an update and waits until the poll loop confirmed it and
// the admin side has handled it.
func (r *adminRig) push(upd map[string]any) {
	r.t.Helper()
	if _, err := r.fake.PushUpdate(token, upd); err != nil {
		r.t.Fatal(err)
	}
	r.settle()
}

func (r *adminRig) settle() {
	r.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for r.fake.Pending(token) > 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond) // waiting for a condition, not a schedule
	}
	if n := r.fake.Pending(token); n > 0 {
		r.t.Fatalf("%d updates never confirmed", n)
	}
	r.a.queue.Wait()
}

func adminUser(id int64) map[string]any {
	names := map[int64]string{alice: "Alice", bob: "Bob", mallory: "Mallory"}
	return map[string]any{"id": id, "is_bot": false, "first_name": names[id], "language_code": "en"}
}

func groupChat() map[string]any {
	return map[string]any{"id": adminGroup, "type": "supergroup", "title": "Herald admins"}
}

func botFrom() map[string]any {
	id := int64(123456)
	return map[string]any{"id": id, "is_bot": true, "first_name": "Herald Test Bot", "username": "herald_test_123456_bot"}
}

// message is a user's message in the admin group; replyTo, when set, is
// the bot message it answers.
func (r *adminRig) message(from int64, text string, replyTo *platformtest.TelegramMessage) map[string]any {
	r.msgID++
	m := map[string]any{"message_id": r.msgID, "date": time.Now().Unix(), "chat": groupChat(), "from": adminUser(from), "text": text}
	if replyTo != nil {
		m["reply_to_message"] = botMessage(replyTo)
	}
	return map[string]any{"message": m}
}

func botMessage(m *platformtest.TelegramMessage) map[string]any {
	out := map[string]any{"message_id": m.MessageID, "date": m.Date.Unix(), "chat": groupChat(), "from": botFrom(), "text": m.Text}
	if m.ReplyMarkup != "" {
		out["reply_markup"] = json.RawMessage(m.ReplyMarkup)
	}
	return out
}

// press is a tap on the button with data on bot message m.
func (r *adminRig) press(from int64, m platformtest.TelegramMessage, data string) string {
	r.t.Helper()
	if !strings.Contains(m.ReplyMarkup, `"`+data+`"`) {
		r.t.Fatalf("message %d has no button %q: %s", m.MessageID, data, m.ReplyMarkup)
	}
	r.cqID++
	id := "cq-" + strconv.Itoa(r.cqID)
	r.push(map[string]any{"callback_query": map[string]any{"id": id, "from": adminUser(from), "chat_instance": "ci", "data": data, "message": botMessage(&m)}})
	return id
}

func (r *adminRig) sent() []platformtest.TelegramMessage { return r.fake.Sent(adminGroup) }

// last is the newest bot message in the group containing want.
func (r *adminRig) last(want string) platformtest.TelegramMessage {
	r.t.Helper()
	return flowsrig.Newest(r.t, r.sent(), want, "the group",
		func(m platformtest.TelegramMessage) []string { return []string{m.Text} })
}

func (r *adminRig) message1(id int) platformtest.TelegramMessage {
	m, ok := r.fake.Message(adminGroup, id)
	if !ok {
		r.t.Fatalf("message %d is gone", id)
	}
	return m
}

func (r *adminRig) answer(id string) platformtest.CallbackAnswer {
	r.t.Helper()
	for _, a := range r.fake.CallbackAnswers() {
		if a.CallbackQueryID == id {
			return a
		}
	}
	r.t.Fatalf("callback query %s was never answered", id)
	return platformtest.CallbackAnswer{}
}

// download fetches a file the bot sent, through getFile like a client.
func (r *adminRig) download(fileID string) string {
	r.t.Helper()
	resp, err := http.Get(r.api.URL + "/bot" + token + "/getFile?file_id=" + fileID)
	if err != nil {
		r.t.Fatal(err)
	}
	var out struct {
		Result struct {
			FilePath string `json:"file_path"`
		} `json:"result"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	resp, err = http.Get(r.api.URL + "/file/bot" + token + "/" + out.Result.FilePath)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
