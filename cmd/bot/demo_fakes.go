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

	cfg.Telegram = TelegramConfig{Token: "123456:demo-telegram-token", APIURL: d.urls.Telegram}
	cfg.Slack = SlackConfig{}
	cfg.LINE = LINEConfig{ChannelSecret: "demo-line-secret", ChannelToken: "demo-line-token", APIURL: d.urls.LINE, DataAPIURL: d.urls.LINEData}
	cfg.Messenger = MessengerConfig{PageToken: "demo-page-token", AppSecret: "demo-app-secret", VerifyToken: "demo-verify",
		APIURL: d.urls.Messenger, APIVersion: cfg.Messenger.APIVersion}
	return d, nil
}

// knowSubscribers tells the Messenger fake about the demo's Messenger
// subscribers as of their last message, so those who wrote in the last 24
// hours are inside the window, as on the real platform.
func (d *demoFakes) knowSubscribers(s *storage.Store) error {
	return s.EachSubscriber(func(sub *herald.Subscriber) error {
		if sub.Platform == herald.Messenger && !sub.LastInteraction.IsZero() {
			d.fakes.Messenger.Interacted(sub.ID, sub.LastInteraction)
		}
		return nil
	})
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
