package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/line"
	"github.com/heraldbot/herald/handlers/messenger"
	"github.com/heraldbot/herald/handlers/telegram"
	"github.com/heraldbot/herald/locales"
)

// addAccountRoutes connects the named LINE and Telegram accounts' end
// users, each account on its own route checked with its own secret:
// /webhooks/line/{name}, and each Telegram bot's long poll (or
// /webhooks/telegram/{name}). The default accounts keep the routes they
// had (addInboundRoutes); Messenger's are messengerPages'. Polls run on
// polling until ctx ends.
func (a *app) addAccountRoutes(ctx context.Context, mux *http.ServeMux, endpoint inbound.Endpoint, catalog *locales.Catalog, polling *sync.WaitGroup) {
	cfg, log := a.cfg, a.logger
	for _, acc := range cfg.LINE.Accounts {
		h, err := line.New(line.Options{ChannelSecret: acc.ChannelSecret, ChannelToken: acc.ChannelToken,
			APIURL: acc.APIURL, Endpoint: endpoint, Account: acc.Name})
		if err != nil {
			log.Error("line webhook not mounted", "account", acc.Name, "error", err)
			continue
		}
		mux.Handle("POST /webhooks/line/"+acc.Name, h)
	}
	for _, acc := range cfg.Telegram.Accounts {
		// End users only: the admin group talks to the default bot.
		h, err := telegram.New(telegram.Options{Token: acc.Token, APIURL: acc.APIURL, WebhookSecret: acc.WebhookSecret,
			Endpoint: endpoint, Moves: a.store, Catalog: catalog, Account: acc.Name})
		switch {
		case err != nil:
			log.Error("telegram end users not connected", "account", acc.Name, "error", err)
		case acc.WebhookURL != "":
			mux.Handle("POST /webhooks/telegram/"+acc.Name, h.WebhookHandler())
			polling.Go(func() {
				sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				if err := h.SetWebhook(sctx, acc.WebhookURL); err != nil {
					log.Error("telegram webhook not set; updates will not arrive", "account", acc.Name, "error", err)
				}
			})
		default:
			a.poll(ctx, polling, h.Poll)
		}
	}
}

// messengerPages mounts each named Facebook Page's webhook,
// /webhooks/messenger/{name}, checked with its own app secret, and
// returns the handlers of those with a page_id by page ID: pages of the
// top-level page's Meta app share its webhook URL, and their events are
// routed there by the page they came to.
func (a *app) messengerPages(mux *http.ServeMux, endpoint inbound.Endpoint) map[string]*messenger.Handler {
	pages := map[string]*messenger.Handler{}
	for _, acc := range a.cfg.Messenger.Accounts {
		h, err := messenger.New(messenger.Options{AppSecret: acc.AppSecret, VerifyToken: acc.VerifyToken,
			PageToken: acc.PageToken, APIURL: acc.APIURL, APIVersion: acc.APIVersion,
			Endpoint: endpoint, Account: acc.Name})
		if err != nil {
			a.logger.Error("messenger webhook not mounted", "account", acc.Name, "error", err)
			continue
		}
		mux.Handle("/webhooks/messenger/"+acc.Name, h)
		if acc.PageID != "" {
			pages[acc.PageID] = h
		}
	}
	return pages
}
