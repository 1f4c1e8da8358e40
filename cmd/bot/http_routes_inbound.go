package main

import (
	"context"
	"errors"
	"github.com/heraldbot/herald/sequences"
	"net/http"
	"sync"
	"time"

	"github.com/heraldbot/herald/handlers/api"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/line"
	"github.com/heraldbot/herald/handlers/messenger"
	"github.com/heraldbot/herald/handlers/telegram"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/storage"
)

// inboundDeps are what the end-user side and the REST API share with the
// rest of the bot. Broadcasts is the broadcasts service (every change to a
// broadcast); Releaser is the dispatch engine; Admin is the Telegram admin
// frontend (nil until it exists).
type inboundDeps struct {
	Metrics    *metrics.Metrics
	Broadcasts api.Service
	Releaser   api.Releaser
	Admin      telegram.AdminHandler
	// Direct answers end users' /testme codes and /whoami (the flows
	// engine; nil without one).
	Direct inbound.Direct
	// Catalog words Telegram's /chatid answer in groups (nil: none).
	Catalog *locales.Catalog
	// Sequences serves the API's sequence routes and events (nil: none).
	Sequences *sequences.Service
}

// seqAPI is deps.Sequences as the API takes it: a nil service is no
// interface at all, not a nil pointer in one.
func (d *inboundDeps) seqAPI() api.Sequences {
	if d.Sequences == nil {
		return nil
	}
	return d.Sequences
}

// addInboundRoutes mounts the end-user webhooks (/webhooks/line,
// /webhooks/messenger, /webhooks/telegram in webhook mode), the REST API
// (/api/v1/) and /metrics; starts Telegram's long poll (or sets its
// webhook); and registers their shutdown in a.drain, ahead of the database
// close. It returns the Telegram handler (nil when Telegram is off) so the
// admin side and dispatch can share its bot.
func (a *app) addInboundRoutes(mux *http.ServeMux, deps inboundDeps) *telegram.Handler {
	cfg, log := a.cfg, a.logger
	inbox := inbound.New(a.store, inbound.Options{
		Keywords: inbound.NewKeywords(inbound.WithStopWords(inbound.DefaultKeywords(), cfg.Inbound.UnsubscribeKeywords)),
		Logger:   log, Metrics: deps.Metrics, Direct: deps.Direct,
	})
	if cfg.Metrics.Listen == "" { // else on its own server (startMetricsServer)
		mux.Handle("GET /metrics", protectMetrics(cfg.Metrics.Token, deps.Metrics.Handler()))
	}
	mux.Handle("/api/", api.New(api.Options{Store: a.store, Broadcasts: deps.Broadcasts, Tokens: apiTokens(cfg.API.Tokens),
		Releaser: deps.Releaser, Accounts: apiAccounts(&cfg),
		Logger: log, Metrics: deps.Metrics, Roster: a.store, Sequences: deps.seqAPI()}))
	endpoint := inbound.Endpoint{Inbox: inbox, Logger: log, Metrics: deps.Metrics}
	if cfg.LINEEnabled() {
		h, err := line.New(line.Options{ChannelSecret: cfg.LINE.ChannelSecret, ChannelToken: cfg.LINE.ChannelToken,
			APIURL: cfg.LINE.APIURL, Endpoint: endpoint})
		if err != nil {
			log.Error("line webhook not mounted", "error", err)
		} else {
			mux.Handle("POST /webhooks/line", h)
		}
	}
	pages := a.messengerPages(mux, endpoint)
	if cfg.MessengerEnabled() {
		h, err := messenger.New(messenger.Options{AppSecret: cfg.Messenger.AppSecret, VerifyToken: cfg.Messenger.VerifyToken,
			PageToken: cfg.Messenger.PageToken, APIURL: cfg.Messenger.APIURL, APIVersion: cfg.Messenger.APIVersion,
			Endpoint: endpoint, Pages: pages})
		if err != nil {
			log.Error("messenger webhook not mounted", "error", err)
		} else {
			mux.Handle("/webhooks/messenger", h)
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	var polling sync.WaitGroup
	var tg *telegram.Handler
	if cfg.TelegramEnabled() {
		h, err := telegram.New(telegram.Options{Token: cfg.Telegram.Token, APIURL: cfg.Telegram.APIURL,
			WebhookSecret: cfg.Telegram.WebhookSecret, AdminChatIDs: cfg.Telegram.AdminChatIDs,
			AdminUserIDs: cfg.Telegram.AdminUserIDs, Admin: deps.Admin, Endpoint: endpoint, Moves: a.store,
			Catalog: deps.Catalog})
		switch {
		case err != nil:
			log.Error("telegram end users not connected", "error", err)
		case cfg.Telegram.WebhookURL != "":
			tg = h
			mux.Handle("POST /webhooks/telegram", h.WebhookHandler())
			polling.Go(func() {
				sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				if err := h.SetWebhook(sctx, cfg.Telegram.WebhookURL); err != nil {
					log.Error("telegram webhook not set; updates will not arrive", "error", err)
				}
			})
		default:
			tg = h
			a.poll(ctx, &polling, h.Poll)
		}
	}
	a.addAccountRoutes(ctx, mux, endpoint, deps.Catalog, &polling)
	a.startPolls(ctx, &polling)
	a.drain = append(a.drain, func(dctx context.Context) error {
		stop()
		polling.Wait()
		return errors.Join(a.releasePolls(dctx), inbox.Close(dctx))
	})
	return tg
}

func apiTokens(in []APIToken) []api.Token {
	out := make([]api.Token, 0, len(in))
	for _, t := range in {
		out = append(out, api.Token{Name: t.Name, Secret: t.Token})
	}
	return out
}

// The REST API and the end-user side run on the real store.
var (
	_ api.Store     = (*storage.Store)(nil)
	_ inbound.Store = (*storage.Store)(nil)
)
