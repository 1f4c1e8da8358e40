package line

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/internal/inboundrig"
	"github.com/heraldbot/herald/platformtest"
)

const secret = "line-channel-secret"

// sdkUser and sdkGroup are the IDs in the SDK's sample events.
const (
	sdkUser  = "u206d25c2ea6bd87c17655609a1c37cb8"
	sdkGroup = "cxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
)

// rig is the LINE webhook under test, calling a LINE fake.
type rig struct {
	inboundrig.Webhook[*platformtest.LINE]
}

func newRig(t *testing.T) *rig {
	t.Helper()
	return &rig{inboundrig.NewWebhook(t, platformtest.NewLINE, func(_ *platformtest.LINE, apiURL string, base inboundrig.Rig) (http.Handler, error) {
		return New(Options{ChannelSecret: secret, ChannelToken: "line-token", APIURL: apiURL, Endpoint: base.Endpoint()})
	})}
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (r *rig) post(t *testing.T, body []byte, signature string) int {
	t.Helper()
	return inboundrig.Post(t, r.URL, body, "X-Line-Signature", signature)
}

// sdkEvents returns the SDK's sample events, by type, as raw JSON objects.
func sdkEvents(t *testing.T) map[string][]json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile("testdata/sdk_webhook_events.json")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	out := map[string][]json.RawMessage{}
	for _, e := range body.Events {
		var head struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(e, &head)
		out[head.Type] = append(out[head.Type], e)
	}
	return out
}

// eventSeq numbers the events webhookBody sends: LINE gives each event its
// own webhookEventId, and the SDK's samples all share one.
var eventSeq atomic.Int64

// webhookBody is a webhook body carrying events, each with a new
// webhookEventId.
func webhookBody(events ...json.RawMessage) []byte {
	fresh := make([]json.RawMessage, len(events))
	for i, e := range events {
		fresh[i] = e
		var obj map[string]any
		if json.Unmarshal(e, &obj) == nil && obj != nil {
			obj["webhookEventId"] = fmt.Sprintf("01HERALDTEST%014d", eventSeq.Add(1))
			fresh[i], _ = json.Marshal(obj)
		}
	}
	return rawBody(fresh...)
}

// rawBody is a webhook body carrying events as they are.
func rawBody(events ...json.RawMessage) []byte {
	b, _ := json.Marshal(map[string]any{"destination": "Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "events": events})
	return b
}

// withField returns an SDK sample event with one field replaced.
func withField(t *testing.T, e json.RawMessage, path []string, v any) json.RawMessage {
	t.Helper()
	var obj map[string]any
	_ = json.Unmarshal(e, &obj)
	m := obj
	for _, p := range path[:len(path)-1] {
		m = m[p].(map[string]any)
	}
	m[path[len(path)-1]] = v
	b, _ := json.Marshal(obj)
	return b
}

func (r *rig) subscriber(t *testing.T, id string) herald.Subscriber {
	t.Helper()
	return r.Subscriber(t, herald.SubscriberKey{Platform: herald.LINE, ID: id})
}

func TestSDKSampleBodyIsAcceptedAndRecorded(t *testing.T) {
	r := newRig(t)
	var sample struct {
		Events []json.RawMessage `json:"events"`
	}
	sampleFile, _ := os.ReadFile("testdata/sdk_webhook_events.json")
	if err := json.Unmarshal(sampleFile, &sample); err != nil {
		t.Fatal(err)
	}
	raw := webhookBody(sample.Events...) // the samples share one webhookEventId; LINE's never do
	if code := r.post(t, raw, sign(raw)); code != http.StatusOK {
		t.Fatalf("signed SDK sample answered %d, want 200", code)
	}
	r.Settle(t)
	// The sample's user writes, follows, unfollows (blocks the account),
	// then taps and writes again, which only someone who unblocked it can:
	// reachable. Its group is joined, then left.
	if sub := r.subscriber(t, sdkUser); sub.State != herald.Subscribed || sub.LastInteraction.IsZero() {
		t.Errorf("sample user: state %q, last interaction %v", sub.State, sub.LastInteraction)
	}
	if sub := r.subscriber(t, sdkGroup); sub.Kind != herald.KindGroup || sub.State != herald.Unsubscribed {
		t.Errorf("sample group: kind %q state %q", sub.Kind, sub.State)
	}
	if !strings.Contains(r.Scrape(t), `herald_webhook_requests_total{account="main",platform="line",result="ok"} 1`) {
		t.Error("accepted webhook not counted")
	}
}

func TestFollowSubscribesAndFetchesTheProfile(t *testing.T) {
	r := newRig(t)
	r.Fake.SetProfile(sdkUser, "Mei Lin", "zh-TW")
	body := webhookBody(sdkEvents(t)["follow"][0])
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("follow answered %d", code)
	}
	r.Settle(t)
	sub := r.subscriber(t, sdkUser)
	if sub.State != herald.Subscribed || sub.Name != "Mei Lin" || sub.Locale != "zh-TW" || sub.Kind != herald.KindUser {
		t.Errorf("after follow: %+v", sub)
	}
}

// Unfollow is how LINE says a user blocked the account, and the only way
// Herald learns it: a multicast is answered 200 even for blocked users.
func TestUnfollowMarksBlockedAndLaterAudiencesSkipThem(t *testing.T) {
	r := newRig(t)
	ev := sdkEvents(t)
	const other = "u00000000000000000000000000000002"
	follow := ev["follow"][0]
	unfollow := ev["unfollow"][0]
	body := webhookBody(follow, withField(t, follow, []string{"source", "userId"}, other), unfollow)
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	everyone := &herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users}
	reached := func() []string {
		var ids []string
		if err := r.Store.EachRecipient(everyone, time.Now(), func(sub *herald.Subscriber) error {
			ids = append(ids, sub.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if sub := r.subscriber(t, sdkUser); sub.State != herald.Blocked {
		t.Errorf("after unfollow the state is %q, want blocked", sub.State)
	}
	if got := reached(); len(got) != 1 || got[0] != other {
		t.Errorf("a broadcast to everyone on LINE would reach %v, want only %s", got, other)
	}
	if cnt, err := r.Store.Count(everyone, herald.Marketing, time.Now()); err != nil || cnt.Total != 1 {
		t.Errorf("the wizard's count is %d, %v; want 1", cnt.Total, err)
	}
	// Unblocking the account sends a follow: reachable again.
	again := webhookBody(follow)
	if code := r.post(t, again, sign(again)); code != http.StatusOK {
		t.Fatalf("follow answered %d", code)
	}
	r.Settle(t)
	if got := reached(); len(got) != 2 {
		t.Errorf("after following again the audience is %v, want both users", got)
	}
}

func TestTamperedOrUnsignedBodiesAreRejected(t *testing.T) {
	r := newRig(t)
	body := webhookBody(sdkEvents(t)["follow"][0])
	sig := sign(body)
	tampered := bytes.Replace(body, []byte(sdkUser), []byte("u000000000000000000000000000000ff"), 1)
	for name, tc := range map[string]struct {
		body []byte
		sig  string
	}{
		"tampered body":     {tampered, sig},
		"missing signature": {body, ""},
		"garbage signature": {body, "not-base64!"},
		"other secret":      {body, base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))},
	} {
		if code := r.post(t, tc.body, tc.sig); code != http.StatusUnauthorized {
			t.Errorf("%s: answered %d, want 401", name, code)
		}
	}
	r.Settle(t)
	if _, err := r.Store.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: sdkUser}); err == nil {
		t.Error("a rejected webhook was recorded")
	}
	if !strings.Contains(r.Scrape(t), `herald_webhook_requests_total{account="main",platform="line",result="bad_signature"} 4`) {
		t.Error("rejected webhooks not counted as bad_signature")
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	r := newRig(t)
	body := webhookBody(withField(t, sdkEvents(t)["message"][0], []string{"message", "text"}, strings.Repeat("x", 70<<10)))
	if code := r.post(t, body, sign(body)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 70 KiB body with a 64 KiB limit answered %d, want 413", code)
	}
}

func TestStopKeywordUnsubscribesAndConfirms(t *testing.T) {
	r := newRig(t)
	r.Fake.SetProfile(sdkUser, "Mei", "zh-TW") // the reply's language, whether the profile is fetched before the stop or not
	ev := sdkEvents(t)
	follow := webhookBody(ev["follow"][0])
	r.post(t, follow, sign(follow))
	stop := webhookBody(withField(t, ev["message"][0], []string{"message", "text"}, "退訂"))
	if code := r.post(t, stop, sign(stop)); code != http.StatusOK {
		t.Fatalf("STOP answered %d", code)
	}
	r.Settle(t)
	if sub := r.subscriber(t, sdkUser); sub.State != herald.Unsubscribed {
		t.Errorf("after 退訂 the state is %q", sub.State)
	}
	pushed := r.Rec.To("line", sdkUser)
	if len(pushed) != 1 || !strings.Contains(pushed[0].Content, "已取消訂閱") {
		t.Errorf("confirmation pushed = %+v, want one in Chinese", pushed)
	}
}

func TestPostbackOnABroadcastButtonIsATap(t *testing.T) {
	r := newRig(t)
	b := herald.Broadcast{Name: "Poll", Status: herald.StatusCompleted, Content: herald.Content{Kind: herald.TextContent, Text: "?",
		Buttons: []herald.Button{{ID: "b1", Label: "Yes", Kind: herald.ActionButton, AddTags: []string{"said-yes"}}}}}
	if err := r.Store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	ev := sdkEvents(t)
	tap := webhookBody(ev["follow"][0], withField(t, ev["postback"][0], []string{"postback", "data"}, herald.EncodePostback(b.ID, "b1")))
	if code := r.post(t, tap, sign(tap)); code != http.StatusOK {
		t.Fatalf("postback answered %d", code)
	}
	r.Settle(t)
	if sub := r.subscriber(t, sdkUser); !sub.HasTag("said-yes") {
		t.Errorf("tap action not applied: tags %v", sub.Tags)
	}
	taps, _ := r.Store.Taps(b.ID)
	if len(taps) != 1 || taps[0].Taps != 1 {
		t.Errorf("taps = %+v", taps)
	}
}

// LINE sends a webhook again when it got no answer in time, with the same
// webhookEventId (and deliveryContext.isRedelivery): a tap delivered three
// times, and once more after a restart, counts once and tags once; each
// repeat shows in /metrics. A new tap by the same user still counts.
func TestRedeliveredTapCountsOnce(t *testing.T) {
	r := newRig(t)
	b := r.Poll(t)
	tap := withField(t, sdkEvents(t)["postback"][0], []string{"postback", "data"}, herald.EncodePostback(b.ID, "yes"))
	tap = withField(t, tap, []string{"webhookEventId"}, "01JREPLAYREPLAYREPLAYREPLA")
	body := rawBody(tap)
	redelivered := rawBody(withField(t, tap, []string{"deliveryContext", "isRedelivery"}, true))
	for _, b := range [][]byte{body, body, redelivered} {
		if code := r.post(t, b, sign(b)); code != http.StatusOK {
			t.Fatalf("a signed tap answered %d", code)
		}
	}
	if taps, unique := r.Taps(t, b.ID); taps != 1 || unique != 1 {
		t.Errorf("one tap delivered three times counts %d (%d people), want 1", taps, unique)
	}
	if n := r.Repeats(t, "line"); n != 2 {
		t.Errorf("herald_inbound_repeats_total{account=\"main\",platform=\"line\"} = %d, want 2", n)
	}

	r = &rig{r.Restart(t)}
	if code := r.post(t, body, sign(body)); code != http.StatusOK {
		t.Fatalf("the tap after a restart answered %d", code)
	}
	if taps, _ := r.Taps(t, b.ID); taps != 1 || r.Repeats(t, "line") != 1 {
		t.Errorf("after a restart the same tap counts %d, repeats %d; want 1 and 1", taps, r.Repeats(t, "line"))
	}
	if sub := r.subscriber(t, sdkUser); len(sub.Tags) != 1 || !sub.HasTag("said-yes") {
		t.Errorf("tags after the repeats = %v", sub.Tags)
	}
	next := webhookBody(tap)
	if code := r.post(t, next, sign(next)); code != http.StatusOK {
		t.Fatalf("a new tap answered %d", code)
	}
	if taps, unique := r.Taps(t, b.ID); taps != 2 || unique != 1 {
		t.Errorf("a second tap by the same user: %d taps by %d people, want 2 by 1", taps, unique)
	}
}

func FuzzWebhook(f *testing.F) {
	raw, _ := os.ReadFile("testdata/sdk_webhook_events.json")
	f.Add(raw)
	f.Add([]byte(`{"events":[{"type":"follow","source":{"type":"user","userId":""}}]}`))
	f.Add([]byte(`{"events":[{"type":"postback","source":{"type":"group","groupId":"C1","userId":"U1"},"postback":{"data":"hb1:B-7K2Q:b1"}}]}`))
	h, err := New(Options{ChannelSecret: secret, ChannelToken: "t", APIURL: "http://127.0.0.1:1", Endpoint: inboundrig.FuzzEndpoint(f)})
	if err != nil {
		f.Fatal(err)
	}
	inboundrig.FuzzWebhook(f, h, "X-Line-Signature", sign)
}

// sdkTime is the SDK samples' timestamp.
var sdkTime = time.UnixMilli(1462629479859)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
