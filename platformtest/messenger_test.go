package platformtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const pageToken = "page-token"

// messengerFixture serves a Messenger fake on a clock the test moves.
type messengerFixture struct {
	m     *Messenger
	rec   *Recorder
	base  string
	clock *Clock
}

func newMessengerFixture(t *testing.T) *messengerFixture {
	t.Helper()
	f := &messengerFixture{clock: NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))}
	f.rec = NewRecorder(f.clock.Now)
	f.m = NewMessenger(f.rec)
	f.m.AllowTokens(pageToken)
	srv := httptest.NewServer(f.m)
	t.Cleanup(srv.Close)
	f.base = srv.URL
	return f
}

type graphAnswer struct {
	RecipientID string     `json:"recipient_id"`
	MessageID   string     `json:"message_id"`
	Error       graphError `json:"error"`
}

// post sends body to /v21.0/me/messages with query (the token and proof).
func (f *messengerFixture) post(t *testing.T, query url.Values, body string) (int, graphAnswer) {
	t.Helper()
	res, err := http.Post(f.base+"/v21.0/me/messages?"+query.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var a graphAnswer
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, a
}

func (f *messengerFixture) send(t *testing.T, body string) (int, graphAnswer) {
	t.Helper()
	return f.post(t, url.Values{"access_token": {pageToken}}, body)
}

func TestMessengerSendsEachMessageKind(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now().Add(-time.Hour))
	bodies := map[string]string{
		"text":    `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"Hello"}}`,
		"image":   `{"recipient":{"id":"P1"},"messaging_type":"UPDATE","message":{"attachment":{"type":"image","payload":{"url":"https://cdn.example/a.png","is_reusable":true}}}}`,
		"buttons": `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"template_type":"button","text":"Pick","buttons":[{"type":"web_url","url":"https://x.example","title":"Open"},{"type":"postback","title":"Yes","payload":"Y"}]}}}}`,
		"generic": `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"template_type":"generic","elements":[{"title":"Card","buttons":[{"type":"postback","title":"Go","payload":"G"}]}]}}}}`,
	}
	for name, body := range bodies {
		status, a := f.send(t, body)
		if status != 200 || a.RecipientID != "P1" || !strings.HasPrefix(a.MessageID, "m_") {
			t.Fatalf("%s: status %d, answer %+v", name, status, a)
		}
	}
	if n := len(f.rec.To("messenger", "P1")); n != 4 {
		t.Fatalf("P1 got %d deliveries, want 4", n)
	}
	// The token may come in the Authorization header instead.
	req, _ := http.NewRequest("POST", f.base+"/me/messages", strings.NewReader(bodies["text"]))
	req.Header.Set("Authorization", "Bearer "+pageToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("token in header: %v %v", res.Status, err)
	}
	res.Body.Close()
	if d := f.rec.Duplicates("messenger"); d["P1"] != 1 {
		t.Fatalf("duplicates = %v, want P1:1", d)
	}
}

func TestMessengerRefusesBadMessages(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now())
	four := `{"type":"postback","title":"b","payload":"p"}`
	cases := map[string]string{
		"no messaging_type":  `{"recipient":{"id":"P1"},"message":{"text":"x"}}`,
		"bad messaging_type": `{"recipient":{"id":"P1"},"messaging_type":"PROMO","message":{"text":"x"}}`,
		"tag without type":   `{"recipient":{"id":"P1"},"messaging_type":"MESSAGE_TAG","message":{"text":"x"}}`,
		"unknown tag":        `{"recipient":{"id":"P1"},"messaging_type":"MESSAGE_TAG","tag":"NEWS","message":{"text":"x"}}`,
		"long text":          `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"` + strings.Repeat("é", 2001) + `"}}`,
		"four buttons":       `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"template_type":"button","text":"t","buttons":[` + strings.Repeat(four+",", 3) + four + `]}}}}`,
		"no recipient":       `{"messaging_type":"RESPONSE","message":{"text":"x"}}`,
	}
	for name, body := range cases {
		status, a := f.send(t, body)
		if status != 400 || a.Error.Code != 100 || a.Error.Type != "OAuthException" || a.Error.FBTraceID == "" {
			t.Errorf("%s: status %d, error %+v", name, status, a.Error)
		}
	}
	if f.rec.Count("") != 0 {
		t.Fatalf("bad requests delivered %d", f.rec.Count(""))
	}
}

func TestMessengerEnforcesTheWindow(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now().Add(-25*time.Hour))
	status, a := f.send(t, `{"recipient":{"id":"P1"},"messaging_type":"UPDATE","message":{"text":"late"}}`)
	if status != 400 || a.Error.Code != 10 || a.Error.Subcode != 2018278 ||
		a.Error.Message != "(#10) This message is sent outside of allowed window." {
		t.Fatalf("outside the window: status %d, %+v", status, a.Error)
	}
	// A tag is the way to reach them outside the window.
	status, _ = f.send(t, `{"recipient":{"id":"P1"},"messaging_type":"MESSAGE_TAG","tag":"ACCOUNT_UPDATE","message":{"text":"your account"}}`)
	if status != 200 {
		t.Fatalf("tagged: status %d", status)
	}
	// HUMAN_AGENT reaches a week back, not more.
	f.m.Interacted("P2", f.clock.Now().Add(-8*24*time.Hour))
	status, a = f.send(t, `{"recipient":{"id":"P2"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"x"}}`)
	if status != 400 || a.Error.Code != 10 {
		t.Fatalf("human agent after 8 days: status %d, %+v", status, a.Error)
	}
	// A new message from the person reopens the window.
	f.m.Interacted("P1", f.clock.Now().Add(-time.Minute))
	if status, _ := f.send(t, `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"hi"}}`); status != 200 {
		t.Fatalf("after a new message: status %d", status)
	}
	status, a = f.send(t, `{"recipient":{"id":"stranger"},"messaging_type":"RESPONSE","message":{"text":"hi"}}`)
	if status != 400 || a.Error.Subcode != 2018001 {
		t.Fatalf("unknown PSID: status %d, %+v", status, a.Error)
	}
	if f.rec.Count("messenger") != 2 {
		t.Fatalf("deliveries = %+v", f.rec.Deliveries("messenger"))
	}
}

func TestMessengerChecksTokenAndAppSecretProof(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now())
	f.m.SetAppSecret("app-secret")
	body := `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"x"}}`
	proof := proofOf("app-secret", pageToken)

	cases := []struct {
		name  string
		query url.Values
		code  int
	}{
		{"no token", url.Values{}, 2500},
		{"wrong token", url.Values{"access_token": {"nope"}, "appsecret_proof": {proof}}, 190},
		{"no proof", url.Values{"access_token": {pageToken}}, 100},
		{"wrong proof", url.Values{"access_token": {pageToken}, "appsecret_proof": {strings.Repeat("ab", 32)}}, 100},
		{"good proof", url.Values{"access_token": {pageToken}, "appsecret_proof": {proof}}, 0},
	}
	for _, c := range cases {
		status, a := f.post(t, c.query, body)
		if a.Error.Code != c.code || (c.code == 0) != (status == 200) {
			t.Errorf("%s: status %d, error %+v; want code %d", c.name, status, a.Error, c.code)
		}
	}
	if f.rec.Count("messenger") != 1 || len(f.rec.Rejected("messenger")) != 4 {
		t.Fatalf("deliveries %d, rejections %d", f.rec.Count("messenger"), len(f.rec.Rejected("messenger")))
	}
}

func TestMessengerFaults(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now())
	f.m.Interacted("P2", f.clock.Now())
	body := `{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"x"}}`

	f.m.Faults.Block("P2")
	status, a := f.send(t, strings.Replace(body, "P1", "P2", 1))
	if status != 400 || a.Error.Code != 551 || a.Error.Subcode != 1545041 {
		t.Fatalf("blocked: status %d, %+v", status, a.Error)
	}

	f.m.Faults.SetRateLimit(1, time.Second)
	if status, _ := f.send(t, body); status != 200 {
		t.Fatalf("first under the limit: %d", status)
	}
	status, a = f.send(t, body)
	if status != 400 || a.Error.Code != 613 {
		t.Fatalf("rate limited: status %d, %+v", status, a.Error)
	}
	f.clock.Add(time.Second) // the next second has room again
	if status, _ := f.send(t, body); status != 200 {
		t.Fatalf("next second: %d", status)
	}

	f.m.Faults.FailNext(1, 500)
	status, a = f.send(t, body)
	if status != 500 || a.Error.Code != 2 || !a.Error.IsTransient {
		t.Fatalf("injected 500: status %d, %+v", status, a.Error)
	}
	if f.rec.Count("messenger") != 2 {
		t.Fatalf("deliveries = %d, want 2", f.rec.Count("messenger"))
	}
	if got := f.rec.MaxPerSecond("messenger", true); got["P1"] != 1 {
		t.Fatalf("max per second = %v", got)
	}
}

func TestMessengerAcceptsFormBodies(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now())
	form := url.Values{"recipient": {`{"id":"P1"}`}, "messaging_type": {"RESPONSE"},
		"message": {`{"text":"form"}`}, "access_token": {pageToken}}
	res, err := http.PostForm(f.base+"/v21.0/me/messages", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || len(f.rec.To("messenger", "P1")) != 1 {
		t.Fatalf("status %d, deliveries %+v", res.StatusCode, f.rec.Deliveries(""))
	}
	// A JSON body sent as a form (curl -d) is still read as JSON.
	res, err = http.Post(f.base+"/v21.0/me/messages?access_token="+pageToken, "application/x-www-form-urlencoded",
		strings.NewReader(`{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"curl"}}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := f.rec.To("messenger", "P1"); res.StatusCode != 200 || len(got) != 2 || got[1].Content != `{"text":"curl"}` {
		t.Fatalf("status %d, deliveries %+v", res.StatusCode, got)
	}
}

// proofOf is appsecret_proof of token under secret.
func proofOf(secret, token string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(token))
	return hex.EncodeToString(mac.Sum(nil))
}
