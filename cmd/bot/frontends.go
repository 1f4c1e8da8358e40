package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
	slackfe "github.com/heraldbot/herald/handlers/slack"
	"github.com/heraldbot/herald/handlers/telegram"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/storage"
)

// adminStore is what the admin frontends need of storage (*storage.Store).
type adminStore interface {
	Audit(e herald.AuditEntry) error
	Broadcast(id string) (herald.Broadcast, error)
	Admin(key string) (herald.Admin, error)
	adminchat.Cards
	adminchat.Timelines
	ProgressMessages() storage.Records
	ReportFollowUps() storage.Records
}

// adminFrontends are the admin chats (Telegram group, Slack) wired to one
// flows engine, and the reporter that brings progress back to them.
//
// Wiring order, because the engine asks the frontends who may act and the
// frontends hand input to the engine:
//
//	access := adminchat.AccessByFrontend{}
//	engine, _ := flows.New(flows.Config{Access: access, ...})
//	fe, _ := newAdminFrontends(cfg, engine, store, catalog, access, logger, opts)
//	telegram.New(telegram.Options{..., Admin: fe.telegramAdmin()})
//	events.subscribe(fe.Reporter) // progress, reports, notices
//	go fe.run(ctx); mux.Handle("/slack/events", fe.slackHTTP()) when Slack runs over HTTP
//	at shutdown: fe.close(ctx)
type adminFrontends struct {
	Telegram *telegram.Admin  // nil without telegram.token
	Slack    *slackfe.Handler // nil without slack.bot_token
	Reporter *adminchat.Reporter
	// socket: Slack over Socket Mode (app_token set); else over HTTP.
	socket bool
	log    *slog.Logger
}

// newAdminFrontends builds the frontends the config enables and registers
// each one's access rules in access (the engine's flows.Access).
func newAdminFrontends(cfg Config, engine *flows.Engine, store adminStore, cat *locales.Catalog,
	access adminchat.AccessByFrontend, logger *slog.Logger, opts appOptions, pv previews) (*adminFrontends, error) {
	fe := &adminFrontends{log: logger}
	surfaces := map[string]adminchat.Surface{}
	offers := opts.Offers
	if offers == nil {
		offers = adminchat.NewOffers()
	}
	if opts.Console != nil {
		surfaces[console.Frontend] = opts.Console
	}
	common := adminchat.Common{Flows: engine, Audit: store, Catalog: cat, Offers: offers, Logger: logger}
	if cfg.Telegram.Token != "" && (len(cfg.Telegram.AdminChatIDs) > 0 || len(cfg.Telegram.AdminUserIDs) > 0) {
		a, err := telegram.NewAdmin(telegram.AdminOptions{Token: cfg.Telegram.Token, APIURL: cfg.Telegram.APIURL,
			Common: common, AdminChatIDs: cfg.Telegram.AdminChatIDs,
			AdminUserIDs: cfg.Telegram.AdminUserIDs, Previews: pv.telegram, HTML: dtelegram.HTML})
		if err != nil {
			return nil, err
		}
		fe.Telegram, access[telegram.Frontend], surfaces[telegram.Frontend] = a, a, a
	}
	if cfg.Slack.BotToken != "" {
		s, err := slackfe.New(slackfe.Options{BotToken: cfg.Slack.BotToken, AppToken: cfg.Slack.AppToken,
			SigningSecret: cfg.Slack.SigningSecret, APIURL: cfg.Slack.APIURL, Common: common, Admins: store,
			AllowedUsers: cfg.Slack.AllowedUsers, AllowedUserGroups: cfg.Slack.AllowedUserGroups,
			AllowedChannels: cfg.Slack.AllowedChannels, MediaURL: pv.mediaURL})
		if err != nil {
			return nil, err
		}
		fe.Slack, access[slackfe.Frontend], surfaces[slackfe.Frontend] = s, s, s
		fe.socket = cfg.Slack.AppToken != ""
	}
	var requests adminchat.Requests
	var accountLabel func(herald.Account) string
	if engine != nil {
		requests = engine // it renders approval requests
		accountLabel = engine.AccountLabel
	}
	r, err := adminchat.New(adminchat.Options{Surfaces: surfaces, Broadcasts: store, Requests: requests, Admins: store, Cards: store,
		ProgressMessages: store.ProgressMessages(), Timelines: store, FollowUps: store.ReportFollowUps(), Catalog: cat, Offers: offers,
		ApproverChats: approverChats(cfg), APIChat: apiChat(cfg, opts), Location: cfg.Location(),
		Interval: opts.ProgressInterval, Logger: logger, AccountLabel: accountLabel})
	if err != nil {
		return nil, err
	}
	fe.Reporter = r
	return fe, nil
}

// previews are what the admin chats render the summary's preview with:
// the Telegram delivery sender (nil without Telegram), and where uploaded
// images are served (nil without public_base_url), for Slack to show them.
type previews struct {
	telegram telegram.Previewer
	mediaURL func(mediaID string) string
}

// apiChat is the admin chat where broadcasts made through the API report
// (api.report_to); in the demo, the console, its one admin chat.
func apiChat(cfg Config, opts appOptions) herald.Origin {
	if rt := cfg.API.ReportTo; rt != nil {
		return herald.Origin{Frontend: rt.Frontend, ChatID: rt.Chat}
	}
	if opts.Console != nil {
		return herald.Origin{Frontend: console.Frontend, ChatID: console.Frontend}
	}
	return herald.Origin{}
}

// approverChats are where approval requests go besides the chat a
// broadcast was made in: every Telegram admin group, whose administrators
// are the approvers. Slack has none: its requests stay in the thread they
// were made in, inside an allowed channel, rather than a DM to every
// allowed user.
func approverChats(cfg Config) map[string][]string {
	if cfg.Telegram.Token == "" || len(cfg.Telegram.AdminChatIDs) == 0 {
		return nil
	}
	chats := make([]string, 0, len(cfg.Telegram.AdminChatIDs))
	for _, id := range cfg.Telegram.AdminChatIDs {
		chats = append(chats, strconv.FormatInt(id, 10))
	}
	return map[string][]string{telegram.Frontend: chats}
}

// telegramAdmin is the value for telegram.Options.Admin (a nil interface
// when Telegram has no admin side, so admin chats stay ignored).
func (fe *adminFrontends) telegramAdmin() telegram.AdminHandler {
	if fe.Telegram == nil {
		return nil
	}
	return fe.Telegram
}

// slackHTTP serves Slack's Events API when Slack runs without Socket Mode.
func (fe *adminFrontends) slackHTTP() http.Handler {
	if fe.Slack == nil {
		return http.NotFoundHandler()
	}
	return fe.Slack.HTTPHandler()
}

// run registers Telegram's command menu, keeps Slack's Socket Mode
// connection and flushes throttled progress until ctx ends.
func (fe *adminFrontends) run(ctx context.Context) {
	fe.runChats(ctx)
	_ = fe.Reporter.Run(ctx)
}

// runChats is run without the reporter's loop, which, with several
// instances, only the one that sends runs (its progress, its reports and
// their follow-ups).
func (fe *adminFrontends) runChats(ctx context.Context) {
	if fe.Telegram != nil {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		if err := fe.Telegram.SetCommands(cctx); err != nil {
			fe.log.Warn("telegram: command menu not registered", "error", err)
		}
		cancel()
	}
	if fe.Slack != nil && fe.socket {
		go func() {
			if err := fe.Slack.RunSocketMode(ctx); err != nil {
				fe.log.Error("slack stopped", "error", err)
			}
		}()
	}
}

// close waits for conversations in progress and pending progress edits.
func (fe *adminFrontends) close(ctx context.Context) error {
	var errs []error
	if fe.Telegram != nil {
		errs = append(errs, fe.Telegram.Close(ctx))
	}
	if fe.Slack != nil {
		errs = append(errs, fe.Slack.Close(ctx))
	}
	fe.Reporter.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("admin frontends: %w", err)
	}
	return nil
}
