package telegram

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/heraldbot/herald"
)

// Telegram posts an update again when the webhook did not answer 200 in
// time, and a poller that crashed before confirming fetches it again: the
// same update_id. A /start and a tap delivered twice, and once more after a
// restart, welcome once and count once; each repeat shows in /metrics.
func TestRepeatedUpdatesCountOnce(t *testing.T) {
	o := rigOptions{secret: "s3cret"}
	r := newRig(t, o)
	b := r.Poll(t)
	start := message(privateChat(801), user(801, "en"), "/start")
	start["update_id"] = 9001
	tap := obj{"update_id": 9002, "callback_query": obj{"id": "cq9", "from": user(801, "en"), "chat_instance": "x",
		"data": herald.EncodePostback(b.ID, "yes"), "message": obj{"message_id": 5, "date": 1763888400, "chat": privateChat(801), "text": "?"}}}
	deliver := func(r *rig, upds ...obj) {
		t.Helper()
		srv := httptest.NewServer(r.h.WebhookHandler())
		defer srv.Close()
		for _, u := range upds {
			body, _ := json.Marshal(u)
			req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", o.secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("update %v answered %d", u["update_id"], resp.StatusCode)
			}
		}
	}
	deliver(r, start, tap, start, tap)
	if taps, _ := r.Taps(t, b.ID); taps != 1 || r.Repeats(t, "telegram") != 2 {
		t.Errorf("a tap delivered twice counts %d, repeats %d; want 1 and 2", taps, r.Repeats(t, "telegram"))
	}
	fake := r.fake
	r.Settle(t) // the welcome goes out on the follow-up pool
	if sent := fake.Sent(801); len(sent) != 1 {
		t.Errorf("/start delivered twice was welcomed %d times, want once", len(sent))
	}

	r = newRigOver(t, o, r.Restart(t))
	deliver(r, tap)
	if taps, _ := r.Taps(t, b.ID); taps != 1 || r.Repeats(t, "telegram") != 1 {
		t.Errorf("after a restart the same tap counts %d, repeats %d; want 1 and 1", taps, r.Repeats(t, "telegram"))
	}
	if s := r.subscriber(t, 801); len(s.Tags) != 1 {
		t.Errorf("tags after the repeats = %v", s.Tags)
	}
}
