package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/storage"
)

// TestInboundRoutesServeWebhooksAPIAndMetrics wires the end-user side as
// serve does and uses it as LINE, an integration and Prometheus would.
func TestInboundRoutesServeWebhooksAPIAndMetrics(t *testing.T) {
	_, urls := platformFakes(t)

	cfg := DefaultConfig()
	cfg.LINE = LINEConfig{ChannelSecret: "line-secret", ChannelToken: "line-token", APIURL: urls.LINE, DataAPIURL: urls.LINEData}
	cfg.API.Tokens = []APIToken{{Name: "crm", Token: "crm-token-123"}}
	store, err := storage.Open(filepath.Join(t.TempDir(), "herald.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	a := &app{cfg: cfg, logger: slog.New(slog.DiscardHandler), store: store}
	mux := http.NewServeMux()
	if tg := a.addInboundRoutes(mux, inboundDeps{Metrics: metrics.New()}); tg != nil {
		t.Error("a Telegram handler without telegram.token")
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	body := []byte(`{"destination":"Ubot","events":[{"type":"follow","mode":"active","timestamp":1462629479859,` +
		`"source":{"type":"user","userId":"U0123456789abcdef0123456789abcdef"},"webhookEventId":"01FZ","deliveryContext":{"isRedelivery":false},"replyToken":"r"}]}`)
	mac := hmac.New(sha256.New, []byte("line-secret"))
	mac.Write(body)
	req, _ := http.NewRequest("POST", srv.URL+"/webhooks/line", bytes.NewReader(body))
	req.Header.Set("X-Line-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	if code := doStatus(t, req); code != http.StatusOK {
		t.Fatalf("LINE follow answered %d", code)
	}

	req, _ = http.NewRequest("GET", srv.URL+"/api/v1/subscribers/line/U0123456789abcdef0123456789abcdef", nil)
	req.Header.Set("Authorization", "Bearer crm-token-123")
	if code := doStatus(t, req); code != http.StatusOK {
		t.Errorf("the follower is not visible through the API: %d", code)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	scraped, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(scraped), `herald_webhook_requests_total{account="main",platform="line",result="ok"} 1`) {
		t.Error("/metrics does not count the webhook")
	}
	for _, drain := range a.drain {
		if err := drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func doStatus(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
