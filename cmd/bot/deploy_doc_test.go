package main

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/clicks"
)

// TestDeployDocExposesRealRoutes keeps docs/deploy.md's proxy examples
// true: every path the Caddy and nginx examples forward is one the bot
// serves (with every webhook on), none is private (/metrics, the backup
// route), and both examples forward the same ones.
func TestDeployDocExposesRealRoutes(t *testing.T) {
	doc, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	caddy := regexp.MustCompile(`(?m)^\s*@herald path (.+)$`).FindSubmatch(doc)
	if caddy == nil {
		t.Fatal("no @herald path matcher in the Caddy example")
	}
	fromCaddy := strings.Fields(strings.ReplaceAll(string(caddy[1]), "*", ""))
	var fromNginx []string
	for _, m := range regexp.MustCompile(`(?m)^\s*location (?:= )?(/\S+)\s+\{ proxy_pass`).FindAllSubmatch(doc, -1) {
		fromNginx = append(fromNginx, string(m[1]))
	}
	slices.Sort(fromCaddy)
	slices.Sort(fromNginx)
	if !slices.Equal(fromCaddy, fromNginx) || len(fromCaddy) == 0 {
		t.Fatalf("the examples forward different paths: Caddy %v, nginx %v", fromCaddy, fromNginx)
	}

	for _, private := range []string{"/metrics", "/internal/", "/healthz", "/api/"} {
		for _, p := range fromCaddy {
			if strings.HasPrefix(p, private) || p == "/" {
				t.Errorf("the examples forward %s, which must stay private", p)
			}
		}
	}

	_, u := platformFakes(t)
	cfg := testConfig(t)
	cfg.Telegram = TelegramConfig{Token: "123456:deploy-doc", APIURL: u.Telegram, AdminChatIDs: []int64{-100777},
		WebhookURL: "https://herald.example.org/webhooks/telegram", WebhookSecret: "secret"}
	cfg.LINE = LINEConfig{ChannelSecret: "s", ChannelToken: "t", APIURL: u.LINE, DataAPIURL: u.LINEData}
	cfg.Messenger = MessengerConfig{PageToken: "p", AppSecret: "a", VerifyToken: "v", APIURL: u.Messenger, APIVersion: "v26.0"}
	cfg.PublicBaseURL = "https://herald.example.org"
	a := startTestApp(t, cfg, time.Now)
	mediaID, err := a.store.PutMedia("image/png", []byte("\x89PNG"))
	if err != nil {
		t.Fatal(err)
	}
	link := trackedLinkPath(t, a, "http://"+a.addr+"/media/"+mediaID)
	for _, path := range fromCaddy {
		method, url := http.MethodPost, "http://"+a.addr+path
		switch path {
		case "/media/":
			method, url = http.MethodGet, url+mediaID
		case "/r/":
			method, url = http.MethodGet, "http://"+a.addr+link
		}
		req, _ := http.NewRequest(method, url, strings.NewReader("{}"))
		if code := doStatus(t, req); code == http.StatusNotFound || code == http.StatusMethodNotAllowed {
			t.Errorf("docs/deploy.md forwards %s, but %s %s answers %d", path, method, url, code)
		}
	}
}

// trackedLinkPath is the path of a tracked link the bot redirects: a
// broadcast's URL button to target, signed with the bot's own secret.
func trackedLinkPath(t *testing.T, a *app, target string) string {
	t.Helper()
	b := herald.Broadcast{Name: "Deploy doc", Content: herald.Content{Kind: herald.TextContent, Text: "hi",
		Buttons: []herald.Button{{ID: "b1", Label: "Site", Kind: herald.URLButton, URL: target}}}}
	if err := a.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	secret, err := a.store.ClickSecret()
	if err != nil {
		t.Fatal(err)
	}
	tr := clicks.New(a.store, secret, "", clicks.Options{})
	defer tr.Close()
	return tr.Link(b.ID, 1, 0)
}
