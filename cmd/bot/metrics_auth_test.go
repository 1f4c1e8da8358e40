package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/handlers/api/apiclient"
)

func TestMetricsTokenGuardsMetrics(t *testing.T) {
	const token = "metrics-token-0123456789abcdef"
	cfg, _ := writeConfig(t, "metrics:\n  token: "+token+"\n")
	b := startBot(t, strings.NewReader(""), "-config", cfg)

	scrape := func(auth string) (int, string) { return getAuth(t, "http://"+b.addr+"/metrics", auth) }
	for _, auth := range []string{"", "Bearer wrong-token-0123456789abcdef", "Basic " + token, "Bearer", token} {
		code, body := scrape(auth)
		if code != http.StatusUnauthorized || strings.Contains(body, "herald_") {
			t.Errorf("Authorization %q: %d, %q; want 401 and no metrics", auth, code, body)
		}
	}
	for _, auth := range []string{"Bearer " + token, "bearer " + token} {
		if code, body := scrape(auth); code != http.StatusOK || !strings.Contains(body, "herald_") {
			t.Errorf("Authorization %q: %d; want the metrics, got %.80q", auth, code, body)
		}
	}
	// The rest of the server is not behind the metrics token.
	res, err := http.Get("http://" + b.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/healthz with metrics.token set: %s", res.Status)
	}
}

// getAuth fetches url with an Authorization header (none when empty) and
// returns the status and body.
func getAuth(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestMetricsTokenMustBeLong(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Metrics.Token = "short"
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "metrics.token: must be at least 20 characters") {
		t.Errorf("Validate() = %v", err)
	}
}

// With metrics.listen, /metrics is served there (token and all) and no
// longer on the webhooks' server, which a proxy may expose.
func TestMetricsListenMovesMetricsOffTheMainServer(t *testing.T) {
	const token = "metrics-token-0123456789abcdef"
	cfg, _ := writeConfig(t, "metrics:\n  listen: 127.0.0.1:0\n  token: "+token+"\n")
	b := startBot(t, strings.NewReader(""), "-config", cfg)
	m := regexp.MustCompile(`metrics_addr=(\S+)`).FindStringSubmatch(b.stderr.String())
	if m == nil {
		t.Fatalf("no metrics_addr in the start line:\n%s", b.stderr)
	}
	auth := "Bearer " + token
	if code, body := getAuth(t, "http://"+m[1]+"/metrics", auth); code != http.StatusOK || !strings.Contains(body, "herald_") {
		t.Errorf("metrics.listen /metrics: %d %.80q", code, body)
	}
	if code, _ := getAuth(t, "http://"+b.addr+"/metrics", auth); code != http.StatusNotFound {
		t.Errorf("http.listen /metrics with metrics.listen set: %d, want 404", code)
	}
	if code, _ := getAuth(t, "http://"+m[1]+"/healthz", auth); code != http.StatusNotFound {
		t.Errorf("metrics.listen serves /healthz: %d, want only /metrics", code)
	}
	if code := b.wait(t); code != exitOK {
		t.Errorf("stop: exit %d\n%s", code, b.stderr)
	}
}

func TestMetricsListenMustBeAnotherHostPort(t *testing.T) {
	for listen, want := range map[string]string{
		"9090":           `metrics.listen: "9090" is not host:port`,
		"127.0.0.1:8080": "metrics.listen: is http.listen (127.0.0.1:8080)",
	} {
		cfg := DefaultConfig()
		cfg.Metrics.Listen = listen
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("metrics.listen %q: Validate() = %v, want %q", listen, err, want)
		}
	}
}

// The bot's /metrics hears its dispatch engine: a broadcast to three
// Telegram chats through the fake shows three timed requests and, once
// the run has ended, nobody waiting.
func TestMetricsTimeEachSend(t *testing.T) {
	now := time.Now()
	a, fakes, api := startAPIApp(t, now, nil)
	chats := []string{"710001", "710002", "710003"}
	subscribe(t, a.store, herald.Telegram, now, nil, chats...)
	due := now.Add(time.Hour).UTC().Truncate(time.Minute)
	created, err := api.CreateBroadcastWithResponse(context.Background(), apiclient.BroadcastCreate{Name: "Timed",
		Status:   ptr(apiclient.BroadcastCreateStatusScheduled),
		Audience: &apiclient.Audience{Channels: []apiclient.AudienceChannels{apiclient.AudienceChannelsTelegram}},
		Content:  &apiclient.Content{Kind: apiclient.Text, Text: ptr("Timed")},
		Schedule: &apiclient.Schedule{Kind: apiclient.At, At: &due}})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %s", err, created.Body)
	}
	a.parts.sched.Tick(context.Background(), due)
	if err := a.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := receivers(fakes, "Timed"); len(got) != len(chats) {
		t.Fatalf("%d chats got the broadcast, want %d", len(got), len(chats))
	}
	series := dispatchtest.Scrape(t, a.parts.metrics.Handler())
	for name, want := range map[string]float64{
		`herald_send_duration_seconds_count{account="main",channel="telegram"}`: float64(len(chats)),
		`herald_queue_depth{account="main",channel="telegram"}`:                 0,
	} {
		if got, ok := series[name]; !ok || got != want {
			t.Errorf("/metrics has %s %v (present: %t), want %v", name, got, ok, want)
		}
	}
}
