package messenger

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/internal/inboundrig"
	"github.com/heraldbot/herald/platformtest"
)

const (
	appSecret   = "messenger-app-secret"
	verifyToken = "verify-me"
	pageToken   = "page-token"
)

// rig is the Messenger webhook under test, calling a Messenger fake.
type rig struct {
	inboundrig.Webhook[*platformtest.Messenger]
}

func newRig(t *testing.T) *rig {
	t.Helper()
	return &rig{inboundrig.NewWebhook(t, platformtest.NewMessenger, func(fake *platformtest.Messenger, apiURL string, base inboundrig.Rig) (http.Handler, error) {
		fake.SetAppSecret(appSecret)
		return New(Options{AppSecret: appSecret, VerifyToken: verifyToken, PageToken: pageToken,
			APIURL: apiURL, APIVersion: "v21.0", Endpoint: base.Endpoint()})
	})}
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (r *rig) post(t *testing.T, body []byte, signature string) int {
	t.Helper()
	return inboundrig.Post(t, r.URL, body, "X-Hub-Signature-256", signature)
}

// page wraps messaging objects in a Page webhook body as Meta sends it.
func page(messaging ...string) []byte {
	return []byte(`{"object":"page","entry":[{"id":"PAGE1","time":1732345200000,"messaging":[` + strings.Join(messaging, ",") + `]}]}`)
}

// eventSeq makes each message's mid and each postback's timestamp (by a
// millisecond) new, as Messenger's are.
var eventSeq atomic.Int64

func textMessage(psid, text string) string {
	n := eventSeq.Add(1)
	return fmt.Sprintf(`{"sender":{"id":%q},"recipient":{"id":"PAGE1"},"timestamp":1732345200000,"message":{"mid":"m_%d","text":%q}}`, psid, n, text)
}

func postback(psid, payload string) string {
	n := eventSeq.Add(1)
	return fmt.Sprintf(`{"sender":{"id":%q},"recipient":{"id":"PAGE1"},"timestamp":%d,"postback":{"title":"Yes","payload":%q,"mid":"m_%d"}}`, psid, 1732345200000+n, payload, n)
}

func (r *rig) subscriber(t *testing.T, psid string) herald.Subscriber {
	t.Helper()
	return r.Subscriber(t, herald.SubscriberKey{Platform: herald.Messenger, ID: psid})
}

func TestVerifyHandshake(t *testing.T) {
	r := newRig(t)
	get := func(token string) (int, string) {
		resp, err := http.Get(r.URL + "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(verifyToken); code != http.StatusOK || body != "1158201444" {
		t.Errorf("right verify token: %d %q, want 200 echoing the challenge", code, body)
	}
	if code, body := get("wrong"); code != http.StatusForbidden || strings.Contains(body, "1158201444") {
		t.Errorf("wrong verify token: %d %q, want 403 without the challenge", code, body)
	}
}

func TestMessageRecordsTheWindowsClock(t *testing.T) {
	r := newRig(t)
	body := page(textMessage("PSID1", "hello"))
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("signed message answered %d", code)
	}
	r.Settle(t)
	sub := r.subscriber(t, "PSID1")
	want := time.UnixMilli(1732345200000).UTC()
	if sub.State != herald.Subscribed || !sub.LastInteraction.Equal(want) {
		t.Errorf("after a message: state %q, last interaction %v (want %v)", sub.State, sub.LastInteraction, want)
	}
}

func TestEchoesAreNotInteractions(t *testing.T) {
	r := newRig(t)
	body := page(`{"sender":{"id":"PAGE1"},"recipient":{"id":"PSID1"},"timestamp":1,"message":{"mid":"m","text":"hi","is_echo":true}}`)
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("echo answered %d", code)
	}
	r.Settle(t)
	if _, err := r.Store.Subscriber(herald.SubscriberKey{Platform: herald.Messenger, ID: "PAGE1"}); err == nil {
		t.Error("the page's own echo made the page a subscriber")
	}
}

func TestBadSignaturesAreRejectedAndCounted(t *testing.T) {
	r := newRig(t)
	body := page(textMessage("PSID1", "hello"))
	for name, tc := range map[string]struct {
		body []byte
		sig  string
	}{
		"tampered":     {bytes.Replace(body, []byte("hello"), []byte("HELLO"), 1), sign(body)},
		"missing":      {body, ""},
		"sha1 only":    {body, "sha1=" + strings.Repeat("0", 40)},
		"not hex":      {body, "sha256=zz"},
		"other secret": {body, "sha256=" + strings.Repeat("ab", 32)},
	} {
		if code := r.post(t, tc.body, tc.sig); code != http.StatusUnauthorized {
			t.Errorf("%s: answered %d, want 401", name, code)
		}
	}
	r.Settle(t)
	if _, err := r.Store.Subscriber(herald.SubscriberKey{Platform: herald.Messenger, ID: "PSID1"}); err == nil {
		t.Error("a rejected request was recorded")
	}
	if !strings.Contains(r.Scrape(t), `herald_webhook_requests_total{account="main",platform="messenger",result="bad_signature"} 5`) {
		t.Error("bad signatures not counted")
	}
}

func TestStopKeywordUnsubscribesAndReplies(t *testing.T) {
	r := newRig(t)
	r.Fake.Interacted("PSID2", time.Now())
	body := page(textMessage("PSID2", "hello"), textMessage("PSID2", "Stop"))
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("answered %d", code)
	}
	r.Settle(t)
	if sub := r.subscriber(t, "PSID2"); sub.State != herald.Unsubscribed {
		t.Errorf("after STOP the state is %q", sub.State)
	}
	got := r.Rec.To("messenger", "PSID2")
	if len(got) != 1 || !strings.Contains(got[0].Content, "unsubscribed") {
		t.Errorf("reply = %+v, want one English confirmation", got)
	}
}

func TestPostbackTapAndReferral(t *testing.T) {
	r := newRig(t)
	b := herald.Broadcast{Name: "Poll", Status: herald.StatusCompleted, Content: herald.Content{Kind: herald.TextContent, Text: "?",
		Buttons: []herald.Button{{ID: "yes", Label: "Yes", Kind: herald.ActionButton, SetAttrs: map[string]string{"answer": "yes"}}}}}
	if err := r.Store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	getStarted := `{"sender":{"id":"PSID3"},"recipient":{"id":"PAGE1"},"timestamp":1732345200000,"postback":{"title":"Get Started","payload":"GET_STARTED","referral":{"ref":"autumn-campaign","source":"SHORTLINK","type":"OPEN_THREAD"}}}`
	body := page(getStarted, postback("PSID3", herald.EncodePostback(b.ID, "yes")))
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("answered %d", code)
	}
	r.Settle(t)
	sub := r.subscriber(t, "PSID3")
	if sub.Attributes["answer"] != "yes" || sub.Attributes[inbound.StartParamAttr] != "autumn-campaign" {
		t.Errorf("attributes = %v, want the tap's answer and the m.me referral", sub.Attributes)
	}
	if taps, _ := r.Store.Taps(b.ID); len(taps) != 1 || taps[0].Taps != 1 {
		t.Errorf("taps = %+v", taps)
	}
}

// Meta retries a webhook that got no 200 in time, byte for byte: a
// postback (which has no mid) is known by who tapped, when and what, so it
// counts once, also after a restart; a message by its mid. Each repeat
// shows in /metrics.
func TestRedeliveredPostbackCountsOnce(t *testing.T) {
	r := newRig(t)
	b := r.Poll(t)
	body := page(postback("PSID7", herald.EncodePostback(b.ID, "yes")), textMessage("PSID7", "hello"))
	for range 2 {
		if code := r.post(t, body, sign(body)); code != http.StatusOK {
			t.Fatalf("a signed postback answered %d", code)
		}
	}
	if taps, _ := r.Taps(t, b.ID); taps != 1 || r.Repeats(t, "messenger") != 2 {
		t.Errorf("a postback delivered twice counts %d, repeats %d; want 1 and 2 (the tap and the message)", taps, r.Repeats(t, "messenger"))
	}
	r = &rig{r.Restart(t)}
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("the postback after a restart answered %d", code)
	}
	if taps, _ := r.Taps(t, b.ID); taps != 1 || r.Repeats(t, "messenger") != 2 {
		t.Errorf("after a restart the same postback counts %d, repeats %d; want 1 and 2", taps, r.Repeats(t, "messenger"))
	}
	again := page(postback("PSID7", herald.EncodePostback(b.ID, "yes"))) // a new tap: a new timestamp
	if code := r.post(t, again, sign(again)); code != http.StatusOK {
		t.Fatalf("a new postback answered %d", code)
	}
	if taps, _ := r.Taps(t, b.ID); taps != 2 {
		t.Errorf("a second tap counts %d in all, want 2", taps)
	}
}

func TestNonPageAndBrokenBodies(t *testing.T) {
	r := newRig(t)
	for _, body := range [][]byte{[]byte(`{"object":"instagram","entry":[]}`), []byte(`{"object":`)} {
		if code := r.post(t, body, sign(body)); code != http.StatusBadRequest {
			t.Errorf("%s answered %d, want 400", body, code)
		}
	}
	big := page(textMessage("PSID1", strings.Repeat("x", 70<<10)))
	if code := r.post(t, big, sign(big)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body answered %d, want 413", code)
	}
}

func FuzzWebhook(f *testing.F) {
	f.Add(page(textMessage("P", "STOP")))
	f.Add(page(postback("P", "hb1:B-7K2Q:b1")))
	f.Add([]byte(`{"object":"page","entry":[{"messaging":[{"sender":{"id":""},"message":{"quick_reply":{"payload":"hb1:B-7K2Q:x"}}}]}]}`))
	h, err := New(Options{AppSecret: appSecret, VerifyToken: verifyToken, PageToken: pageToken,
		APIURL: "http://127.0.0.1:1", Endpoint: inboundrig.FuzzEndpoint(f)})
	if err != nil {
		f.Fatal(err)
	}
	inboundrig.FuzzWebhook(f, h, "X-Hub-Signature-256", sign)
}
