package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsTokenGuardsMetrics(t *testing.T) {
	const token = "metrics-token-0123456789abcdef"
	cfg, _ := writeConfig(t, "metrics:\n  token: "+token+"\n")
	b := startBot(t, strings.NewReader(""), "-config", cfg)

	scrape := func(auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+b.addr+"/metrics", nil)
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

func TestMetricsTokenMustBeLong(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Metrics.Token = "short"
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "metrics.token: must be at least 20 characters") {
		t.Errorf("Validate() = %v", err)
	}
}
