package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// demoFakes are the platform fakes the demo delivers to: every channel is
// configured against them, with dummy tokens, so the real senders run and
// nothing leaves the machine.
type demoFakes struct {
	fakes *platformtest.Server
	srv   *http.Server
	urls  platformtest.BaseURLs
}

// startDemoFakes serves the fakes on a free loopback port and points cfg's
// channels at them.
func startDemoFakes(cfg *Config) (*demoFakes, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen for the platform fakes: %w", err)
	}
	d := &demoFakes{fakes: platformtest.NewServer(nil)}
	d.srv = &http.Server{Handler: d.fakes.Handler(), ReadHeaderTimeout: 10 * time.Second}
	d.urls = d.fakes.URLs("http://" + ln.Addr().String())
	go func() { _ = d.srv.Serve(ln) }()

	// A config's named accounts stay, each sending to the fakes with its
	// own credentials, so that the console can show them.
	tgAccounts, lineAccounts, pageAccounts := cfg.Telegram.Accounts, cfg.LINE.Accounts, cfg.Messenger.Accounts
	cfg.Telegram = TelegramConfig{Token: "123456:demo-telegram-token", APIURL: d.urls.Telegram, Name: cfg.Telegram.Name, Accounts: tgAccounts}
	cfg.Slack = SlackConfig{}
	cfg.LINE = LINEConfig{ChannelSecret: "demo-line-secret", ChannelToken: "demo-line-token", APIURL: d.urls.LINE, DataAPIURL: d.urls.LINEData,
		Name: cfg.LINE.Name, Accounts: lineAccounts}
	cfg.Messenger = MessengerConfig{PageToken: "demo-page-token", AppSecret: "demo-app-secret", VerifyToken: "demo-verify",
		APIURL: d.urls.Messenger, APIVersion: cfg.Messenger.APIVersion, Name: cfg.Messenger.Name, Accounts: pageAccounts}
	for i := range tgAccounts {
		tgAccounts[i].APIURL, tgAccounts[i].WebhookURL = d.urls.Telegram, ""
	}
	for i := range lineAccounts {
		lineAccounts[i].APIURL, lineAccounts[i].DataAPIURL = d.urls.LINE, d.urls.LINEData
	}
	for i := range pageAccounts {
		pageAccounts[i].APIURL = d.urls.Messenger
	}
	return d, nil
}

// demoNewFollowers is how many LINE friends the demo's account has that
// Herald has not met yet (they added it before Herald ran): /sync line in
// the demo adds them.
const demoNewFollowers = 40

// demoAccountNewFollowers is how many friends each named LINE account of
// the demo has that Herald has not met yet.
const demoAccountNewFollowers = 8

// knowSubscribers tells the fakes about the demo's subscribers: the
// Messenger fake of their last message, so those who wrote in the last 24
// hours are inside the window, as on the real platform; the LINE fake's
// friend list of the subscribed LINE users, and of demoNewFollowers more.
// Each named LINE account (lineTokens: its channel token by name) has a
// friend list of its own: its subscribers and demoAccountNewFollowers more.
func (d *demoFakes) knowSubscribers(s storage.Backend, lineTokens map[string]string) error {
	err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		switch {
		case sub.Platform == herald.Messenger && !sub.LastInteraction.IsZero():
			d.fakes.Messenger.Interacted(sub.ID, sub.LastInteraction)
		case sub.Platform == herald.LINE && sub.Kind == herald.KindUser && sub.State == herald.Subscribed && sub.Account == "":
			d.fakes.LINE.AddFollowers(sub.ID)
		case sub.Platform == herald.LINE && sub.Kind == herald.KindUser && sub.State == herald.Subscribed && lineTokens[sub.Account] != "":
			d.fakes.LINE.AddChannelFollowers(lineTokens[sub.Account], sub.ID)
		}
		return nil
	})
	for i := range demoNewFollowers {
		d.fakes.LINE.AddFollowers(fmt.Sprintf("Ud3f0%028x", i))
	}
	n := 0
	for _, token := range lineTokens {
		for range demoAccountNewFollowers {
			d.fakes.LINE.AddChannelFollowers(token, fmt.Sprintf("Ud3f1%028x", n))
			n++
		}
	}
	return err
}

func (d *demoFakes) close() {
	d.fakes.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := d.srv.Shutdown(ctx); err != nil {
		_ = d.srv.Close()
	}
}

// lateHandler hands console input to the flows engine, which exists only
// once the app is wired (and the console must exist before, as its surface).
type lateHandler struct{ a **app }

// Handle passes in to the engine.
func (h lateHandler) Handle(ctx context.Context, in flows.Input) ([]flows.Reply, error) {
	return (*h.a).parts.flows.Handle(ctx, in)
}
