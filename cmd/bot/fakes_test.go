package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestFakesServesThePlatformsUntilStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- runFakes(ctx, []string{"-addr", "127.0.0.1:0"}, pw, &stderr)
		pw.Close()
	}()

	// The printed config values are what a person copies: use them.
	urls := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "Stop with") {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ": "); ok && strings.HasSuffix(k, "api_url") {
			urls[k] = strings.TrimSpace(v)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	for _, k := range []string{"telegram.api_url", "slack.api_url", "line.api_url", "line.data_api_url", "messenger.api_url"} {
		if !strings.HasPrefix(urls[k], "http://127.0.0.1:") {
			t.Fatalf("%s = %q; printed: %v", k, urls[k], urls)
		}
	}
	if !strings.HasSuffix(urls["slack.api_url"], "/") {
		t.Errorf("slack.api_url %q lacks the trailing slash slack-go needs", urls["slack.api_url"])
	}

	req, _ := http.NewRequest("POST", urls["line.api_url"]+"/v2/bot/message/push",
		strings.NewReader(`{"to":"U1","messages":[{"type":"text","text":"by hand"}]}`))
	req.Header.Set("Authorization", "Bearer any")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("push through the printed URL: %v %v", res.Status, err)
	}
	res.Body.Close()
	control := strings.TrimSuffix(urls["line.api_url"], "/line") + "/control"
	res, err = http.Post(control, "application/json", strings.NewReader(`{"action":"deliveries","platform":"line"}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Deliveries []struct{ Recipient, Content string }
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	res.Body.Close()
	if len(out.Deliveries) != 1 || !strings.Contains(out.Deliveries[0].Content, "by hand") {
		t.Fatalf("control deliveries = %+v", out.Deliveries)
	}

	cancel()
	if c := <-code; c != exitOK {
		t.Fatalf("exit %d, stderr %s", c, stderr.String())
	}
}

func TestFakesRefusesAddressesOthersCanReach(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":8081", "192.168.1.5:0", "nonsense"} {
		var stdout, stderr syncBuffer
		if c := runFakes(context.Background(), []string{"-addr", addr}, &stdout, &stderr); c != exitUsage {
			t.Errorf("-addr %s: exit %d", addr, c)
		}
		if !strings.Contains(stderr.String(), "127.0.0.1") {
			t.Errorf("-addr %s: message does not say what to use: %s", addr, stderr.String())
		}
	}
}
