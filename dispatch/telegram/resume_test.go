package telegram_test

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch/telegram"
)

// An album with buttons is two requests. When Telegram refuses the second
// (a 429: one request a second here), the engine waits and sends only the
// message with the buttons: nobody gets the pictures twice.
func TestAlbumWithButtonsResumesAfterItsPictures(t *testing.T) {
	r := newGroupRig(t, 1, func(c *telegram.Config) { c.ChatGap, c.GroupGap = time.Nanosecond, time.Nanosecond })
	r.groups(group(-1001), group(-1002))
	r.fake.Faults.SetRateLimit(1, time.Second)
	b := r.broadcast("Autumn lookbook", herald.StatusScheduled)
	if _, err := r.st.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Content = herald.Content{Kind: herald.ImageContent, Text: "Our autumn lookbook",
			Images:  []herald.Image{{URL: "https://img.example/1.jpg"}, {URL: "https://img.example/2.jpg"}},
			Buttons: []herald.Button{{ID: "b1", Kind: herald.URLButton, Label: "Shop", URL: "https://shop.example"}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, d := range r.start(b) {
		if d.Outcome != herald.Sent {
			t.Errorf("%s: %s %s", d.Recipient.ID, d.Outcome, d.Reason)
		}
	}
	for _, chat := range []string{"-1001", "-1002"} {
		got := r.rec.To("telegram", chat)
		if len(got) != 2 || got[0].Method != "sendMediaGroup" || got[1].Method != "sendMessage" {
			t.Errorf("chat %s got %d messages, want the album then the buttons: %v", chat, len(got), got)
		}
	}
	if d := r.rec.Duplicates("telegram"); len(d) != 0 {
		t.Errorf("sent twice: %v", d)
	}
	if n := len(r.rec.Rejected("telegram")); n == 0 {
		t.Error("Telegram never answered 429: the test did not make the second request fail")
	}
}
