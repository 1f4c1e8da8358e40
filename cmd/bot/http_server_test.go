package main

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testAPIToken = "0123456789abcdef0123456789abcdef"

// TestSlowClientsAreCutOffWhileOthersAreServed trickles a request's
// headers, and another's body, one byte at a time: the server closes each
// connection within a few times its configured timeout, and answers other
// requests meanwhile.
func TestSlowClientsAreCutOffWhileOthersAreServed(t *testing.T) {
	const headerTimeout, readTimeout = 500 * time.Millisecond, time.Second
	cfg, _ := writeConfig(t, "  read_header_timeout: 500ms\n  read_timeout: 1s\n"+
		"api:\n  tokens:\n    - name: crm\n      token: "+testAPIToken+"\n")
	b := startBot(t, strings.NewReader(""), "-config", cfg)

	body := "POST /api/v1/audience/count HTTP/1.1\r\nHost: herald\r\nAuthorization: Bearer " + testAPIToken +
		"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
	for _, c := range []struct {
		name    string
		head    string // sent at once
		trickle string // then one byte every 50ms
		limit   time.Duration
	}{
		{"slow headers", "", body, 5 * headerTimeout},
		{"slow body", body, `{"audience":{"channels":["line"]}}` + strings.Repeat(" ", 1000), 5 * readTimeout},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", b.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, c.head); err != nil {
				t.Fatal(err)
			}
			go func() {
				for i := range len(c.trickle) {
					if _, err := io.WriteString(conn, c.trickle[i:i+1]); err != nil {
						return // closed by the server
					}
					time.Sleep(50 * time.Millisecond)
				}
			}()
			// Others are served while this client trickles.
			res, err := http.Get("http://" + b.addr + "/healthz")
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("another request meanwhile: %v %v", res, err)
			}
			res.Body.Close()
			// The server closes the connection (an answer may come first).
			_ = conn.SetReadDeadline(start.Add(c.limit))
			_, err = io.Copy(io.Discard, conn)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("connection still open after %v", c.limit)
			}
		})
	}
}

// TestBearerSchemeInAnyCaseAndRefusalsLogged: "bearer", "BEARER" and
// "Bearer" are the same scheme; a refused request is logged once with its
// reason and never with the token.
func TestBearerSchemeInAnyCaseAndRefusalsLogged(t *testing.T) {
	cfg, _ := writeConfig(t, "api:\n  tokens:\n    - name: crm\n      token: "+testAPIToken+"\n")
	b := startBot(t, strings.NewReader(""), "-config", cfg)
	get := func(auth string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+b.addr+"/api/v1/broadcasts", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return doStatus(t, req)
	}
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		if code := get(scheme + " " + testAPIToken); code != http.StatusOK {
			t.Errorf("%s: %d", scheme, code)
		}
	}
	wrong := "wrong-token-wrong-token-wrong"
	for _, c := range []struct{ auth, reason string }{
		{"", "no Authorization header"},
		{"Basic " + wrong, "the Authorization scheme is not Bearer"},
		{"Bearer ", "the bearer token is empty"},
		{"bearer " + wrong, "the bearer token is not one of api.tokens"},
	} {
		before := strings.Count(b.stderr.String(), "request refused")
		if code := get(c.auth); code != http.StatusUnauthorized {
			t.Errorf("%q: %d", c.auth, code)
		}
		logs := b.stderr.String()
		if n := strings.Count(logs, "request refused"); n != before+1 || !strings.Contains(logs, `reason="`+c.reason+`"`) {
			t.Errorf("%q: %d refusals logged (want 1) with %q:\n%s", c.auth, n-before, c.reason, logs)
		}
	}
	if strings.Contains(b.stderr.String(), wrong) {
		t.Error("a refused token was logged")
	}

	// The hot backup route takes the control file's token as a bearer token too.
	a := startTestApp(t, testConfig(t), time.Now)
	req, _ := http.NewRequest(http.MethodGet, "http://"+a.addr+"/internal/backup", nil)
	req.Header.Set("Authorization", "bearer "+a.backupToken)
	if code := doStatus(t, req); code != http.StatusOK {
		t.Errorf("backup with a bearer token: %d", code)
	}
}

// TestReadyzSaysWhyTheDatabaseCannotBeWritten: /readyz commits a write;
// when that fails it answers 503 and says why in JSON.
func TestReadyzSaysWhyTheDatabaseCannotBeWritten(t *testing.T) {
	cfg, _ := writeConfig(t, "")
	b := startBot(t, strings.NewReader(""), "-config", cfg)
	if code, body := getJSON(t, "http://"+b.addr+"/readyz"); code != http.StatusOK || body["status"] != "ready" {
		t.Errorf("readyz of a running bot: %d %v", code, body)
	}

	a, err := startApp(testConfig(t), slog.New(slog.DiscardHandler), appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.shutdown() }) // the database is closed already: an error
	if err := a.store.Close(); err != nil {
		t.Fatal(err)
	}
	code, body := getJSON(t, "http://"+a.addr+"/readyz")
	if code != http.StatusServiceUnavailable || body["status"] != "unavailable" || body["reason"] != "the database is closed" {
		t.Errorf("readyz with the database closed: %d %v", code, body)
	}
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(bufio.NewReader(res.Body)).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body
}
