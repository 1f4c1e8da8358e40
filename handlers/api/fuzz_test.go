package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/handlers/internal/storerig"
)

// jsonEndpoints are the routes that read a JSON body.
var jsonEndpoints = []struct{ method, path string }{
	{"PUT", "/api/v1/subscribers/line/U1"},
	{"POST", "/api/v1/subscribers/line/U1/tags"},
	{"PATCH", "/api/v1/subscribers/line/U1/attributes"},
	{"POST", "/api/v1/subscribers/line/U1/events"},
	{"POST", "/api/v1/broadcasts"},
	{"POST", "/api/v1/audience/count"},
}

// FuzzJSONBodies sends arbitrary bodies to every route that reads JSON,
// over a real store: whatever the body, the answer is a JSON answer of
// the client's making (2xx or 4xx with an error code), never a 500 or a
// panic.
func FuzzJSONBodies(f *testing.F) {
	for i, body := range []string{
		`{"name":"Ann","locale":"en","timezone":"Asia/Taipei","tags":["vip"],"attributes":{"city":"Taipei"},"state":"subscribed"}`,
		`{"tags":["vip","new"]}`,
		`{"attributes":{"city":"Tainan","plan":null}}`,
		`{"name":"signup","at":"2026-11-23T09:00:00Z"}`,
		`{"name":"Sale","status":"scheduled","audience":{"channels":["line"],"include_tags":["vip"]},"content":{"text":"Hi"},"schedule":{"at":"2026-12-01T09:00:00Z"}}`,
		`{"audience":{"channels":["line","telegram"],"exclude_tags":["vip"]},"category":"marketing"}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	for _, body := range []string{``, `null`, `[]`, `{"tags":"vip"}`, `{"a":1}{"b":2}`, `{"name":"\ud800"}`, `{"attributes":{"":""}}`} {
		f.Add(uint8(0), []byte(body))
	}
	store := storerig.Open(f)
	svc, err := broadcasts.New(broadcasts.Options{Store: store, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	srv := New(Options{Store: store, Roster: store, Broadcasts: svc, Tokens: []Token{{Name: "ci", Secret: goodToken}},
		Now: func() time.Time { return now }, MaxBody: 16 << 10})
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		e := jsonEndpoints[int(route)%len(jsonEndpoints)]
		req := httptest.NewRequest(e.method, e.path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+goodToken)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var ans struct {
			Error *errorJSON `json:"error"`
		}
		err := json.Unmarshal(rec.Body.Bytes(), &ans)
		switch {
		case rec.Code >= http.StatusInternalServerError:
			t.Fatalf("%s %s %q: %d %s", e.method, e.path, body, rec.Code, rec.Body)
		case err != nil:
			t.Fatalf("%s %s %q: the answer is not JSON: %d %q", e.method, e.path, body, rec.Code, rec.Body)
		case rec.Code >= 400 && (ans.Error == nil || ans.Error.Code == ""):
			t.Fatalf("%s %s %q: %d without an error code: %s", e.method, e.path, body, rec.Code, rec.Body)
		}
	})
}
