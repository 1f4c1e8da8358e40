package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

func signedPost(t *testing.T, url, contentType, body, secret string) *http.Response {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestEventsAPIOverHTTPChecksTheSignature(t *testing.T) {
	fake := platformtest.NewSlack(nil)
	api := httptest.NewServer(fake)
	defer api.Close()
	defer fake.Close()
	fake.AddChannel(platformtest.SlackChannel{ID: channel, Name: "herald-admins"})
	e, store, cat := flowsrig.New(t, nil)
	h, err := New(Options{BotToken: "xoxb-test", SigningSecret: signingSecret, APIURL: api.URL + "/api/", Common: adminchat.Common{Flows: e, Audit: store,
		Catalog: cat}, AllowedUsers: []string{alice}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.HTTPHandler())
	defer srv.Close()

	form := url.Values{"command": {"/herald"}, "text": {"new"}, "user_id": {alice}, "channel_id": {channel}}.Encode()
	resp := signedPost(t, srv.URL, "application/x-www-form-urlencoded", form, "not-the-secret")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a forged request got %d", resp.StatusCode)
	}
	resp = signedPost(t, srv.URL, "application/x-www-form-urlencoded", form, signingSecret)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a signed slash command got %d", resp.StatusCode)
	}
	_ = h.Close(context.Background())
	msgs := fake.Messages(channel)
	if len(msgs) < 2 || !strings.Contains(msgs[0].Text, "is working with Herald") || !strings.Contains(msgs[len(msgs)-1].Blocks, "Step 1") {
		t.Fatalf("the slash command did not start a thread: %+v", msgs)
	}

	resp = signedPost(t, srv.URL, "application/json", `{"type":"url_verification","token":"x","challenge":"ch4ll3nge"}`, signingSecret)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ch4ll3nge" {
		t.Fatalf("url_verification answered %q", b)
	}
}
