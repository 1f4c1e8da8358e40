package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/handlers/internal/storerig"
	"github.com/heraldbot/herald/storage"
)

const (
	goodToken = "tok-ci-0123456789"
	otherTok  = "tok-crm-abcdef"
)

var now = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type rig struct {
	store *storage.Store
	srv   *httptest.Server
}

func newRig(t *testing.T, opts Options, tune ...func(*broadcasts.Options)) *rig {
	t.Helper()
	store := storerig.Open(t)
	opts.Store, opts.Roster = store, store
	if opts.Broadcasts == nil {
		bo := broadcasts.Options{Store: store, Now: func() time.Time { return now }}
		for _, f := range tune {
			f(&bo)
		}
		svc, err := broadcasts.New(bo)
		if err != nil {
			t.Fatal(err)
		}
		opts.Broadcasts = svc
	}
	opts.Tokens = []Token{{Name: "ci", Secret: goodToken}, {Name: "crm", Secret: otherTok}}
	opts.Now = func() time.Time { return now }
	opts.MaxBody = 16 << 10
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return &rig{store: store, srv: srv}
}

type answer struct {
	status int
	body   map[string]any
	raw    string
}

func (r *rig) call(t *testing.T, method, path, token string, body any) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, r.srv.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

// errorOf returns the error code and field of an error answer.
func (a answer) errorOf() (code, field string) {
	e, _ := a.body["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	return code, field
}

func (a answer) want(t *testing.T, status int, what string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, a.status, status, a.raw)
	}
}

func (a answer) wantError(t *testing.T, status int, code, field, what string) {
	t.Helper()
	gotCode, gotField := a.errorOf()
	if a.status != status || gotCode != code || gotField != field {
		t.Errorf("%s: %d %s/%s, want %d %s/%s (%s)", what, a.status, gotCode, gotField, status, code, field, a.raw)
	}
}

func TestAuth(t *testing.T) {
	r := newRig(t, Options{})
	for _, tc := range []struct {
		name, token string
		status      int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "tok-ci-012345678X", http.StatusUnauthorized},
		{"prefix of a real one", "tok-ci", http.StatusUnauthorized},
		{"right", goodToken, http.StatusNotFound}, // authenticated; the subscriber does not exist
		{"second token", otherTok, http.StatusNotFound},
	} {
		a := r.call(t, "GET", "/api/v1/subscribers/line/U1", tc.token, nil)
		if a.status != tc.status {
			t.Errorf("%s token: %d, want %d", tc.name, a.status, tc.status)
		}
		if tc.status == http.StatusUnauthorized {
			a.wantError(t, 401, "unauthorized", "", tc.name)
		}
	}
	a := r.call(t, "PUT", "/api/v1/subscribers/line/U1", otherTok, map[string]any{"name": "X"})
	a.want(t, 201, "create as crm")
	log, _ := r.store.AuditLog("", 10)
	if len(log) != 1 || log[0].Actor != "api:crm" || log[0].Action != "subscriber.create" {
		t.Errorf("audit = %+v, want one entry by api:crm", log)
	}
}

func TestSubscriberLifecycle(t *testing.T) {
	r := newRig(t, Options{})
	p := "/api/v1/subscribers/telegram/4242"
	a := r.call(t, "PUT", p, goodToken, map[string]any{"name": "Ana", "locale": "zh-TW", "timezone": "Asia/Taipei",
		"tags": []string{"VIP", " trial "}, "attributes": map[string]string{"city": "Taipei"}})
	a.want(t, 201, "upsert new")
	if a.body["state"] != "subscribed" || a.body["kind"] != "user" || a.body["first_seen"] == nil {
		t.Errorf("new subscriber = %s", a.raw)
	}
	a = r.call(t, "PUT", p, goodToken, map[string]any{"name": "Ana Chen"})
	a.want(t, 200, "upsert existing")
	if a.body["name"] != "Ana Chen" || a.body["locale"] != "zh-TW" {
		t.Errorf("upsert lost fields it did not name: %s", a.raw)
	}
	r.call(t, "POST", p+"/tags", goodToken, map[string]any{"tags": []string{"Newsletter"}}).want(t, 200, "tag")
	r.call(t, "DELETE", p+"/tags/trial", goodToken, nil).want(t, 200, "untag")
	a = r.call(t, "PATCH", p+"/attributes", goodToken, `{"attributes":{"plan":"gold","city":null}}`)
	a.want(t, 200, "attributes")
	a = r.call(t, "POST", p+"/events", goodToken, map[string]any{"name": "purchase", "at": "2026-11-20T10:00:00Z"})
	a.want(t, 200, "event")
	sub, _ := r.store.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "4242"})
	if strings.Join(sub.Tags, ",") != "newsletter,vip" {
		t.Errorf("tags = %v, want newsletter,vip", sub.Tags)
	}
	if sub.Attributes["plan"] != "gold" || sub.Attributes["city"] != "" || sub.Attributes["event.purchase"] != "2026-11-20T10:00:00Z" ||
		sub.Attributes["last_event"] != "purchase" {
		t.Errorf("attributes = %v", sub.Attributes)
	}
	// The event is usable in an audience filter.
	c := r.call(t, "POST", "/api/v1/audience/count", goodToken, map[string]any{"audience": map[string]any{
		"channels": []string{"telegram"}, "attributes": []map[string]string{{"key": "event.purchase", "op": "gt", "value": "2026-11-01"}}}})
	c.want(t, 200, "count")
	if c.body["total"] != float64(1) {
		t.Errorf("audience of recent purchasers = %s, want 1", c.raw)
	}
	r.call(t, "GET", p, goodToken, nil).want(t, 200, "get")
	r.call(t, "DELETE", p, goodToken, nil).want(t, 204, "delete")
	r.call(t, "GET", p, goodToken, nil).wantError(t, 404, "not_found", "", "get after delete")
	r.call(t, "POST", p+"/tags", goodToken, map[string]any{"tags": []string{"x"}}).wantError(t, 404, "not_found", "", "tag a deleted subscriber")
}

func TestSubscriberValidation(t *testing.T) {
	r := newRig(t, Options{})
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code, field        string
	}{
		{"unknown platform", "PUT", "/api/v1/subscribers/whatsapp/1", map[string]any{}, 422, "invalid", "platform"},
		{"bad timezone", "PUT", "/api/v1/subscribers/line/U1", map[string]any{"timezone": "Mars/Olympus"}, 422, "invalid", "timezone"},
		{"group on messenger", "PUT", "/api/v1/subscribers/messenger/P1", map[string]any{"kind": "group"}, 422, "invalid", "kind"},
		{"blocked is the platform's word", "PUT", "/api/v1/subscribers/line/U1", map[string]any{"state": "blocked"}, 422, "invalid", "state"},
		{"too many tags", "PUT", "/api/v1/subscribers/line/U1", map[string]any{"tags": make([]string, 101)}, 422, "too_many", "tags"},
		{"empty tag", "PUT", "/api/v1/subscribers/line/U1", map[string]any{"tags": []string{" "}}, 422, "required", "tags"},
		{"long attribute", "PUT", "/api/v1/subscribers/line/U1", map[string]any{"attributes": map[string]string{"bio": strings.Repeat("x", 1025)}}, 422, "too_long", "attributes.bio"},
		{"unknown field", "PUT", "/api/v1/subscribers/line/U1", `{"nickname":"x"}`, 400, "unknown_field", "nickname"},
		{"wrong type", "PUT", "/api/v1/subscribers/line/U1", `{"tags":"vip"}`, 400, "bad_json", "tags"},
		{"broken JSON", "PUT", "/api/v1/subscribers/line/U1", `{"name":`, 400, "bad_json", ""},
		{"too large", "PUT", "/api/v1/subscribers/line/U1", `{"name":"` + strings.Repeat("x", 17<<10) + `"}`, 413, "too_large", ""},
		{"no tags", "POST", "/api/v1/subscribers/line/U1/tags", map[string]any{"tags": []string{}}, 422, "required", "tags"},
		{"bad event name", "POST", "/api/v1/subscribers/line/U1/events", map[string]any{"name": "Big Purchase!"}, 422, "invalid", "name"},
		{"unknown endpoint", "GET", "/api/v1/nothing", nil, 404, "not_found", ""},
	} {
		r.call(t, tc.method, tc.path, goodToken, tc.body).wantError(t, tc.status, tc.code, tc.field, tc.name)
	}
	if _, err := r.store.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}); err == nil {
		t.Error("a refused upsert stored a subscriber")
	}
}

type releaseSpy struct {
	mu   sync.Mutex
	keys []herald.SubscriberKey
}

func (s *releaseSpy) Release(_ context.Context, key herald.SubscriberKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, key)
	return nil
}

func TestOperatorChatOpenClose(t *testing.T) {
	spy := &releaseSpy{}
	r := newRig(t, Options{Releaser: spy})
	p := "/api/v1/subscribers/messenger/PSID9"
	r.call(t, "POST", p+"/operator-chat", goodToken, nil).wantError(t, 404, "not_found", "", "open for nobody")
	r.call(t, "PUT", p, goodToken, map[string]any{}).want(t, 201, "create")
	if a := r.call(t, "POST", p+"/operator-chat", goodToken, nil); a.body["operator_chat"] != true {
		t.Errorf("open: %s", a.raw)
	}
	a := r.call(t, "DELETE", p+"/operator-chat", goodToken, nil)
	a.want(t, 200, "close")
	if a.body["operator_chat"] != false || a.body["released"] != true {
		t.Errorf("close: %s", a.raw)
	}
	if len(spy.keys) != 1 || spy.keys[0].ID != "PSID9" {
		t.Errorf("released %v, want PSID9's held messages", spy.keys)
	}
}
