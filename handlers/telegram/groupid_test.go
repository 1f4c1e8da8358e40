package telegram

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/heraldbot/herald/locales"
)

// A group that is not an admin chat: joining it logs its ID, title and
// the config key once; /chatid (anyone) and /start (an administrator of
// the group) are answered there with the ID and what to do with it.
func TestGroupIDIsLoggedAndAnswered(t *testing.T) {
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	// slog's handler serialises writes; poll returns after the last one.
	var logs bytes.Buffer
	r := newRig(t, rigOptions{catalog: cat, logger: slog.New(slog.NewTextHandler(&logs, nil))})
	group := obj{"id": int64(-100555), "type": "supergroup", "title": "Staff room"}
	r.fake.SetChatMember(-100555, 7, "administrator")
	r.fake.PushUpdate(token, membership(group, user(7, "en"), "left", "member"))
	r.fake.PushUpdate(token, message(group, user(8, "en"), "/start@HeraldBot"))
	r.fake.PushUpdate(token, message(group, user(8, "ja"), "/chatid"))
	r.fake.PushUpdate(token, message(group, user(7, "en"), "/start"))
	r.poll(t)

	if n := strings.Count(logs.String(), "config_key=telegram.admin_chat_ids"); n != 1 {
		t.Errorf("the group was logged %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), `chat_id=-100555 title="Staff room"`) {
		t.Errorf("the log line lacks the group's ID and title:\n%s", logs.String())
	}
	var texts []string
	for _, m := range r.fake.Sent(-100555) {
		texts = append(texts, m.Text)
	}
	want := []string{
		"このチャットの ID は -100555（「Staff room」）です。ここで配信を管理するには、Herald の設定の telegram.admin_chat_ids に -100555 を追加して再起動してください。それまでこのグループは受信者の 1 つで、グループ向けの配信だけが届きます。",
		"This chat's ID is -100555 (“Staff room”). To manage broadcasts here, add -100555 to telegram.admin_chat_ids in Herald's config and restart it. Until then this group is only a recipient: it gets the broadcasts sent to group chats.",
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("the group heard:\n%s\nwant /chatid answered, /start answered only for its administrator:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
}
