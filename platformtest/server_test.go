package platformtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// serveUnder serves h over real HTTP under mount ("" for the root), as the
// combined server mounts each fake, until the test ends; it returns the URL
// the mount is reached at.
func serveUnder(t *testing.T, h http.Handler, mount string) string {
	t.Helper()
	if mount != "" {
		mux := http.NewServeMux()
		mux.Handle(mount+"/", http.StripPrefix(mount, h))
		h = mux
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + mount
}

// served is a platform fake served over loopback until the test ends,
// the Recorder it records into, and where it is.
type served[F http.Handler] struct {
	fake F
	rec  *Recorder
	url  string // server URL plus any mount
}

// serveFake serves fake (recording into rec) under mount, "" for the
// root, and closes it when t ends.
func serveFake[F interface {
	http.Handler
	Close()
}](t *testing.T, fake F, rec *Recorder, mount string) served[F] {
	t.Helper()
	url := serveUnder(t, fake, mount)
	t.Cleanup(fake.Close)
	return served[F]{fake: fake, rec: rec, url: url}
}

func newServerFixture(t *testing.T) (*Server, BaseURLs, *Clock) {
	t.Helper()
	clock := NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := NewServer(clock.Now)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, s.URLs(srv.URL), clock
}

// control posts a command and decodes the answer.
func control(t *testing.T, u BaseURLs, body string) (int, map[string]json.RawMessage) {
	t.Helper()
	res, err := http.Post(u.ControlPath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out
}

func mustControl(t *testing.T, u BaseURLs, body string) map[string]json.RawMessage {
	t.Helper()
	status, out := control(t, u, body)
	if status != 200 || string(out["ok"]) != "true" {
		t.Fatalf("control %s: status %d, %s", body, status, out["error"])
	}
	return out
}

// linePush sends one text with plain HTTP and returns the status.
func linePush(t *testing.T, u BaseURLs, to, text string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", u.LINE+"/v2/bot/message/push",
		strings.NewReader(`{"to":"`+to+`","messages":[{"type":"text","text":"`+text+`"}]}`))
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestControlSetsFaultsAndDumpsRecordings(t *testing.T) {
	_, u, _ := newServerFixture(t)
	mustControl(t, u, `{"action":"faults","platform":"line","block":["Ublocked"],"fail_next":1,"fail_status":503}`)
	if got := linePush(t, u, "U1", "hello"); got != 503 {
		t.Fatalf("after fail_next: %d", got)
	}
	if got := linePush(t, u, "Ublocked", "hello"); got != 400 {
		t.Fatalf("blocked: %d", got)
	}
	if got := linePush(t, u, "U1", "hello"); got != 200 {
		t.Fatalf("recovered: %d", got)
	}

	var ds []ControlDelivery
	_ = json.Unmarshal(mustControl(t, u, `{"action":"deliveries","platform":"line"}`)["deliveries"], &ds)
	if len(ds) != 1 || ds[0].Recipient != "U1" || !strings.Contains(ds[0].Content, "hello") {
		t.Fatalf("deliveries = %+v", ds)
	}
	var xs []ControlRejection
	_ = json.Unmarshal(mustControl(t, u, `{"action":"rejections"}`)["rejections"], &xs)
	if len(xs) != 2 || xs[0].Status != 503 || xs[1].Status != 400 {
		t.Fatalf("rejections = %+v", xs)
	}

	mustControl(t, u, `{"action":"reset"}`)
	if got := linePush(t, u, "Ublocked", "hello"); got != 200 {
		t.Fatalf("after reset the block should be gone: %d", got)
	}
	_ = json.Unmarshal(mustControl(t, u, `{"action":"deliveries"}`)["deliveries"], &ds)
	if len(ds) != 1 {
		t.Fatalf("after reset: %+v", ds)
	}
}

func TestControlDuplicatesAndPerSecond(t *testing.T) {
	_, u, clock := newServerFixture(t)
	for range 3 { // three in the same second, the same text to U1
		linePush(t, u, "U1", "same")
	}
	linePush(t, u, "U2", "other")
	clock.Add(1500 * time.Millisecond)
	linePush(t, u, "U2", "later")

	var dup map[string]int
	_ = json.Unmarshal(mustControl(t, u, `{"action":"duplicates","platform":"line"}`)["duplicates"], &dup)
	if len(dup) != 1 || dup["U1"] != 2 {
		t.Fatalf("duplicates = %v, want U1:2", dup)
	}
	var perToken, perRecipient map[string]int
	_ = json.Unmarshal(mustControl(t, u, `{"action":"max_per_second","platform":"line"}`)["max_per_second"], &perToken)
	_ = json.Unmarshal(mustControl(t, u, `{"action":"max_per_second","platform":"line","by":"recipient"}`)["max_per_second"], &perRecipient)
	if perToken["tok"] != 4 || perRecipient["U1"] != 3 || perRecipient["U2"] != 1 {
		t.Fatalf("per token %v, per recipient %v", perToken, perRecipient)
	}
}

func TestControlMessengerWindowOverHTTP(t *testing.T) {
	_, u, clock := newServerFixture(t)
	send := func() int {
		res, err := http.Post(u.Messenger+"/v21.0/me/messages?access_token=pt", "application/json",
			strings.NewReader(`{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"text":"hi"}}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := send(); got != 400 {
		t.Fatalf("before any interaction: %d", got)
	}
	mustControl(t, u, `{"action":"interacted","psid":"P1"}`)
	if got := send(); got != 200 {
		t.Fatalf("inside the window: %d", got)
	}
	clock.Add(25 * time.Hour)
	if got := send(); got != 400 {
		t.Fatalf("a day later: %d", got)
	}
}

func TestControlPushesUpdatesAndEnvelopes(t *testing.T) {
	_, u, _ := newServerFixture(t)
	out := mustControl(t, u, `{"action":"push_update","token":"123:abc","update":{"message":{"message_id":7,"date":1,"chat":{"id":42,"type":"private"},"text":"/start"}}}`)
	if string(out["update_id"]) != "1" {
		t.Fatalf("update_id = %s", out["update_id"])
	}
	res, err := http.Get(u.Telegram + "/bot123:abc/getUpdates?timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		OK     bool `json:"ok"`
		Result []struct {
			UpdateID int64 `json:"update_id"`
			Message  struct {
				Text string `json:"text"`
			} `json:"message"`
		} `json:"result"`
	}
	_ = json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	if !got.OK || len(got.Result) != 1 || got.Result[0].Message.Text != "/start" {
		t.Fatalf("getUpdates = %+v", got)
	}
	out = mustControl(t, u, `{"action":"push_envelope","type":"slash_commands","payload":{"command":"/broadcast","text":"new"}}`)
	var id string
	if json.Unmarshal(out["envelope_id"], &id); id == "" {
		t.Fatalf("envelope_id = %s", out["envelope_id"])
	}
}

func TestControlExplainsBadCommands(t *testing.T) {
	_, u, _ := newServerFixture(t)
	for body, want := range map[string]string{
		`{"action":"explode"}`:                                    "use one of",
		`{"action":"faults"}`:                                     `needs "platform"`,
		`{"action":"faults","platform":"icq"}`:                    "unknown platform",
		`{"action":"faults","platform":"line","fail_status":404}`: "5xx",
		`{"action":"faults","platform":"line","rate":5}`:          "unknown field",
		`{"action":"push_update"}`:                                "token",
		`{"action":"push_update","token":"1:a","update":[1]}`:     "JSON object",
		`not json`: "JSON object",
	} {
		status, out := control(t, u, body)
		var msg string
		_ = json.Unmarshal(out["error"], &msg)
		if status != 400 || !strings.Contains(msg, want) {
			t.Errorf("%s: status %d, error %q; want it to mention %q", body, status, msg, want)
		}
	}
	res, err := http.Get(u.ControlPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var summary struct {
		Actions []string `json:"actions"`
	}
	if err := json.NewDecoder(res.Body).Decode(&summary); err != nil || len(summary.Actions) == 0 {
		t.Fatal("GET /control lists no actions")
	}
}
