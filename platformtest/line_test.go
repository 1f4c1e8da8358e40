package platformtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

const lineToken = "line-channel-token"

// lineFixture serves a LINE fake under /line, as the combined server does,
// and returns it with an SDK client pointed at it.
func lineFixture(t *testing.T) (*LINE, *Recorder, string, *messaging_api.MessagingApiAPI) {
	t.Helper()
	rec := NewRecorder(nil)
	l := NewLINE(rec)
	l.AllowTokens(lineToken)
	base := serveUnder(t, l, "/line")
	return l, rec, base, lineClient(t, base, lineToken)
}

func lineClient(t *testing.T, base, token string) *messaging_api.MessagingApiAPI {
	t.Helper()
	api, err := messaging_api.NewMessagingApiAPI(token, messaging_api.WithEndpoint(base))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func textPush(to, text string) *messaging_api.PushMessageRequest {
	return &messaging_api.PushMessageRequest{To: to,
		Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: text}}}
}

// lineErrorBody decodes LINE's error answer from an SDK response.
func lineErrorBody(t *testing.T, res *http.Response) messaging_api.ErrorResponse {
	t.Helper()
	if res == nil {
		t.Fatal("no response")
	}
	var e messaging_api.ErrorResponse
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatalf("decode error body: %v", err)
	}
	return e
}

func TestLINEPushDeliversAndAnswersSentMessages(t *testing.T) {
	_, rec, _, api := lineFixture(t)
	res, body, err := api.PushMessageWithHttpInfo(textPush("U1", "Sale starts now"), "123e4567-e89b-12d3-a456-426614174000")
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || res.Header.Get("X-Line-Request-Id") == "" {
		t.Fatalf("status %d, request id %q", res.StatusCode, res.Header.Get("X-Line-Request-Id"))
	}
	if len(body.SentMessages) != 1 || body.SentMessages[0].Id == "" || body.SentMessages[0].QuoteToken == "" {
		t.Fatalf("sentMessages = %+v", body.SentMessages)
	}
	got := rec.To("line", "U1")
	if len(got) != 1 || !strings.Contains(got[0].Content, `"text":"Sale starts now"`) || got[0].Token != lineToken {
		t.Fatalf("deliveries = %+v", got)
	}
}

func TestLINEMulticastSharesRequestAndRefusesOver500(t *testing.T) {
	_, rec, _, api := lineFixture(t)
	req := &messaging_api.MulticastRequest{To: []string{"U1", "U2", "U3"},
		Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "hi"}}}
	if _, _, err := api.MulticastWithHttpInfo(req, ""); err != nil {
		t.Fatal(err)
	}
	ds := rec.Deliveries("line")
	if len(ds) != 3 || ds[0].RequestID != ds[2].RequestID || ds[0].Method != "multicast" {
		t.Fatalf("deliveries = %+v", ds)
	}

	req.To = make([]string, 501)
	for i := range req.To {
		req.To[i] = fmt.Sprintf("U%d", i)
	}
	res, _, err := api.MulticastWithHttpInfo(req, "")
	if err == nil || res.StatusCode != 400 {
		t.Fatalf("501 recipients: err %v", err)
	}
	e := lineErrorBody(t, res)
	if len(e.Details) != 1 || e.Details[0].Property != "to" || !strings.Contains(e.Message, "1 error") {
		t.Fatalf("error body = %+v", e)
	}
	if rec.Count("line") != 3 {
		t.Fatalf("refused multicast delivered: %d deliveries", rec.Count("line"))
	}
}

func TestLINERejectsWrongToken(t *testing.T) {
	_, rec, base, _ := lineFixture(t)
	res, _, err := lineClient(t, base, "stolen").PushMessageWithHttpInfo(textPush("U1", "x"), "")
	if err == nil || res.StatusCode != 401 {
		t.Fatalf("err %v", err)
	}
	if e := lineErrorBody(t, res); e.Message != lineAuthFailed {
		t.Fatalf("message = %q", e.Message)
	}
	if rec.Count("") != 0 || len(rec.Rejected("line")) != 1 {
		t.Fatalf("deliveries %d, rejections %v", rec.Count(""), rec.Rejected("line"))
	}
}

func TestLINERetryKeyDeliversOnce(t *testing.T) {
	l, rec, _, api := lineFixture(t)
	const key = "0b5a7c1e-3f7d-4e1a-9c2b-8d6f4a3e2b1c"
	l.Faults.FailNext(1, 500)
	res, _, err := api.PushMessageWithHttpInfo(textPush("U1", "once"), key)
	if err == nil || res.StatusCode != 500 {
		t.Fatalf("injected failure: err %v", err)
	}
	// A refused request does not consume its key: the retry goes through.
	res, first, err := api.PushMessageWithHttpInfo(textPush("U1", "once"), key)
	if err != nil {
		t.Fatal(err)
	}
	accepted := res.Header.Get("X-Line-Request-Id")
	res, _, err = api.PushMessageWithHttpInfo(textPush("U1", "once"), key)
	if err == nil || res.StatusCode != 409 {
		t.Fatalf("repeat: err %v", err)
	}
	if got := res.Header.Get("X-Line-Accepted-Request-Id"); got != accepted {
		t.Fatalf("X-Line-Accepted-Request-Id = %q, want %q", got, accepted)
	}
	if e := lineErrorBody(t, res); len(e.SentMessages) != 1 || e.SentMessages[0].Id != first.SentMessages[0].Id {
		t.Fatalf("409 body = %+v", e)
	}
	if n := len(rec.To("line", "U1")); n != 1 {
		t.Fatalf("U1 got %d deliveries, want 1", n)
	}
	if d := rec.Duplicates("line"); len(d) != 0 {
		t.Fatalf("duplicates = %v", d)
	}

	res, _, err = api.PushMessageWithHttpInfo(textPush("U1", "x"), "not-a-uuid")
	if err == nil || res.StatusCode != 400 {
		t.Fatalf("bad retry key: err %v", err)
	}
}

func TestLINEBlockedRecipients(t *testing.T) {
	l, rec, _, api := lineFixture(t)
	l.Faults.Block("Ugone")
	res, _, err := api.PushMessageWithHttpInfo(textPush("Ugone", "x"), "")
	if err == nil || res.StatusCode != 400 {
		t.Fatalf("push to blocked: err %v", err)
	}
	if e := lineErrorBody(t, res); e.Message != "Failed to send messages" {
		t.Fatalf("message = %q", e.Message)
	}
	// Multicast says nothing about the blocked one, like LINE.
	req := &messaging_api.MulticastRequest{To: []string{"U1", "Ugone", "U2"},
		Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "hi"}}}
	if _, _, err := api.MulticastWithHttpInfo(req, ""); err != nil {
		t.Fatal(err)
	}
	if len(rec.To("line", "Ugone")) != 0 || rec.Count("line") != 2 {
		t.Fatalf("deliveries = %+v", rec.Deliveries("line"))
	}
	if s := l.Skipped(); len(s) != 1 || s[0].Recipient != "Ugone" {
		t.Fatalf("skipped = %+v", s)
	}
}

func TestLINERateLimitAndServerErrors(t *testing.T) {
	l, rec, _, api := lineFixture(t)
	l.Faults.SetRateLimit(1, 0)
	if _, _, err := api.PushMessageWithHttpInfo(textPush("U1", "a"), ""); err != nil {
		t.Fatal(err)
	}
	res, _, err := api.PushMessageWithHttpInfo(textPush("U2", "b"), "")
	if err == nil || res.StatusCode != 429 {
		t.Fatalf("over the limit: err %v", err)
	}
	if e := lineErrorBody(t, res); e.Message != lineRateLimited {
		t.Fatalf("message = %q", e.Message)
	}
	l.Faults.Reset()
	l.Faults.FailNext(1, 503)
	res, _, err = api.PushMessageWithHttpInfo(textPush("U2", "b"), "")
	if err == nil || res.StatusCode != 503 || res.Header.Get("X-Line-Request-Id") == "" {
		t.Fatalf("injected 503: err %v", err)
	}
	if rec.Count("line") != 1 || len(rec.Rejected("line")) != 2 {
		t.Fatalf("deliveries %d, rejections %+v", rec.Count("line"), rec.Rejected("line"))
	}
}

// TestLINEValidatesMessages posts raw bodies, as LINE sees them, and checks
// the property each error points at.
func TestLINEValidatesMessages(t *testing.T) {
	_, rec, base, _ := lineFixture(t)
	long := strings.Repeat("a", 5001)
	cases := []struct{ name, body, property string }{
		{"six messages", `{"to":"U1","messages":[` + strings.TrimSuffix(strings.Repeat(`{"type":"text","text":"x"},`, 6), ",") + `]}`, "messages"},
		{"no messages", `{"to":"U1","messages":[]}`, "messages"},
		{"empty text", `{"to":"U1","messages":[{"type":"text","text":""}]}`, "messages[0].text"},
		{"long text", `{"to":"U1","messages":[{"type":"text","text":"` + long + `"}]}`, "messages[0].text"},
		{"http image", `{"to":"U1","messages":[{"type":"text","text":"x"},{"type":"image","originalContentUrl":"http://a/b.png","previewImageUrl":"https://a/p.png"}]}`, "messages[1].originalContentUrl"},
		{"five buttons", `{"to":"U1","messages":[{"type":"template","altText":"a","template":{"type":"buttons","text":"t","actions":[{},{},{},{},{}]}}]}`, "messages[0].template.actions"},
		{"no recipient", `{"messages":[{"type":"text","text":"x"}]}`, "to"},
		{"escaped text", `{"to":"U1","messages":[{"type":"text","text":"\u0000` + long[1:] + `"}]}`, "messages[0].text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", base+"/v2/bot/message/push", strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+lineToken)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var e lineError
			_ = json.NewDecoder(res.Body).Decode(&e)
			if res.StatusCode != 400 || len(e.Details) == 0 || e.Details[0].Property != c.property {
				t.Fatalf("status %d, body %+v; want 400 on %s", res.StatusCode, e, c.property)
			}
		})
	}
	if rec.Count("") != 0 {
		t.Fatalf("invalid requests delivered %d messages", rec.Count(""))
	}

	// LINE takes JSON only.
	req, _ := http.NewRequest("POST", base+"/v2/bot/message/push", strings.NewReader(`{"to":"U1","messages":[{"type":"text","text":"x"}]}`))
	req.Header.Set("Authorization", "Bearer "+lineToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e lineError
	_ = json.NewDecoder(res.Body).Decode(&e)
	res.Body.Close()
	if res.StatusCode != 415 || !strings.Contains(e.Message, "is not supported") || rec.Count("") != 0 {
		t.Fatalf("form body: status %d, %+v", res.StatusCode, e)
	}
}

func TestLINEReadEndpoints(t *testing.T) {
	l, _, base, api := lineFixture(t)
	l.SetProfile("U1", "Mei", "zh-TW")
	l.SetQuota(1000)
	l.AddContent("9001", "image/png", []byte("\x89PNG fake"))
	if _, _, err := api.PushMessageWithHttpInfo(textPush("U1", "x"), ""); err != nil {
		t.Fatal(err)
	}

	p, err := api.GetProfile("U1")
	if err != nil || p.DisplayName != "Mei" || p.Language != "zh-TW" {
		t.Fatalf("profile %+v, %v", p, err)
	}
	if gp, err := api.GetGroupMemberProfile("C1", "U1"); err != nil || gp.DisplayName != "Mei" {
		t.Fatalf("group member profile %+v, %v", gp, err)
	}
	l.Faults.Block("U1")
	if _, err := api.GetProfile("U1"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("blocked user's profile: %v", err)
	}
	if info, err := api.GetBotInfo(); err != nil || info.DisplayName == "" || info.ChatMode != "bot" {
		t.Fatalf("bot info %+v, %v", info, err)
	}
	if q, err := api.GetMessageQuota(); err != nil || q.Type != "limited" || q.Value != 1000 {
		t.Fatalf("quota %+v, %v", q, err)
	}
	if c, err := api.GetMessageQuotaConsumption(); err != nil || c.TotalUsage != 1 {
		t.Fatalf("consumption %+v, %v", c, err)
	}

	blob, err := messaging_api.NewMessagingApiBlobAPI(lineToken, messaging_api.WithBlobEndpoint(base))
	if err != nil {
		t.Fatal(err)
	}
	res, err := blob.GetMessageContent("9001")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(data) != "\x89PNG fake" || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("content %q, type %q", data, res.Header.Get("Content-Type"))
	}
	if _, err := blob.GetMessageContent("404"); err == nil {
		t.Fatal("unknown content served")
	}
}

func TestLINEQuotaAndNarrowcast(t *testing.T) {
	l, rec, _, api := lineFixture(t)
	l.SetQuota(2)
	req := &messaging_api.MulticastRequest{To: []string{"U1", "U2", "U3"},
		Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "hi"}}}
	res, _, err := api.MulticastWithHttpInfo(req, "")
	if err == nil || res.StatusCode != 429 || rec.Count("line") != 0 {
		t.Fatalf("over quota: err %v, delivered %d", err, rec.Count("line"))
	}
	nres, _, err := api.NarrowcastWithHttpInfo(&messaging_api.NarrowcastRequest{
		Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "all"}}}, "")
	if err != nil || nres.StatusCode != 202 {
		t.Fatalf("narrowcast: %v", err)
	}
	prog, err := api.GetNarrowcastProgress(nres.Header.Get("X-Line-Request-Id"))
	if err != nil || prog.Phase != "succeeded" {
		t.Fatalf("progress %+v, %v", prog, err)
	}
	if _, _, err := api.BroadcastWithHttpInfo(&messaging_api.BroadcastRequest{
		Messages: []messaging_api.MessageInterface{&messaging_api.TextMessage{Text: "all"}}}, ""); err != nil {
		t.Fatal(err)
	}
	if len(rec.To("line", "narrowcast")) != 1 || len(rec.To("line", "broadcast")) != 1 {
		t.Fatalf("deliveries = %+v", rec.Deliveries("line"))
	}
}
