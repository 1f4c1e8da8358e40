// Package slack is Herald's Slack admin frontend: a /herald slash command,
// a mention or a DM starts a conversation with flows, each wizard runs in
// its own thread, choices are Block Kit buttons (a long multi-select is a
// menu, a date-time question has date and time pickers), and broadcasts'
// progress and reports come back into the thread they were made in. Events arrive
// by Socket Mode (an app-level token, no public URL) or, as an option, by
// the Events API over HTTP with the signing secret verified.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
)

// Frontend is the name the Slack side gives flows and herald.Origin.
const Frontend = "slack"

// Admins reads the admin profiles flows keeps (their /lang).
type Admins interface {
	Admin(key string) (herald.Admin, error)
}

// Options configure the Slack frontend.
type Options struct {
	BotToken string // xoxb-…
	AppToken string // xapp-…, for Socket Mode
	// SigningSecret verifies Events API requests in HTTP mode.
	SigningSecret string
	// APIURL is the Web API base, e.g. a platformtest fake (default Slack's).
	APIURL string
	adminchat.Common
	// Admins gives each admin's language for what Slack itself says to
	// them (pickers, hints, refusals); nil: the catalog's default.
	Admins Admins
	// AllowedUsers (Slack user IDs) and the members of AllowedUserGroups
	// (S… IDs) may act; AllowedChannels are where Herald answers (empty:
	// every channel and DM). With neither users nor groups, everyone in
	// the allowed channels may act, and DMs are refused. All are checked
	// before anything reaches flows.
	AllowedUsers      []string
	AllowedUserGroups []string
	AllowedChannels   []string
	// GroupTTL is how long a user group's member list is trusted (default
	// 5m): someone removed from the group may act until it runs out.
	GroupTTL time.Duration
	// MediaURL is where an uploaded image is served (public_base_url), so
	// a preview can show it; nil: uploaded images are left out of it.
	MediaURL func(mediaID string) string
}

// Handler is the Slack frontend. It implements flows.Access for Slack
// users and adminchat.Surface for progress and reports.
type Handler struct {
	opts  Options
	api   *slack.Client
	log   *slog.Logger
	queue *adminchat.Queue[convKey]

	botOnce sync.Once
	botUser string

	mu      sync.Mutex
	threads map[string]bool // channel:thread_ts of Herald's threads
	blockN  int
	groups  *adminchat.Lookups[string, map[string]bool] // user group ID → its members
	// toggles is, per conversation, which toggles of its multi-select
	// flows last showed checked: a menu's selection is applied as the
	// difference to it.
	toggles map[convKey]map[string]bool
}

// convKey is one admin's conversation: a thread (or DM) and a user.
type convKey struct{ chat, user string }

// New builds the handler; it makes no network call.
func New(opts Options) (*Handler, error) {
	if opts.BotToken == "" || opts.Flows == nil || opts.Catalog == nil || opts.Audit == nil {
		return nil, errors.New("slack: bot token, flows, catalog and auditor are required")
	}
	if len(opts.AllowedUsers) == 0 && len(opts.AllowedUserGroups) == 0 && len(opts.AllowedChannels) == 0 {
		return nil, errors.New("slack: slack.allowed_channels, allowed_users and allowed_usergroups are empty: nobody could use Herald")
	}
	if opts.GroupTTL <= 0 {
		opts.GroupTTL = 5 * time.Minute
	}
	opts.Common = opts.Common.WithDefaults()
	sopts := []slack.Option{slack.OptionHTTPClient(opts.HTTPClient)}
	if opts.AppToken != "" {
		sopts = append(sopts, slack.OptionAppLevelToken(opts.AppToken))
	}
	if opts.APIURL != "" {
		sopts = append(sopts, slack.OptionAPIURL(strings.TrimSuffix(opts.APIURL, "/")+"/"))
	}
	return &Handler{opts: opts, api: slack.New(opts.BotToken, sopts...), log: opts.Logger,
		queue: adminchat.NewQueue[convKey](), threads: map[string]bool{}, groups: adminchat.NewLookups[string, map[string]bool](opts.GroupTTL, opts.Now),
		toggles: map[convKey]map[string]bool{}}, nil
}

// RunSocketMode receives events over Socket Mode until ctx ends. Every
// envelope is acknowledged at once (Slack wants it within 3 seconds); the
// work is queued per conversation.
func (h *Handler) RunSocketMode(ctx context.Context) error {
	if h.opts.AppToken == "" {
		return errors.New("slack: socket mode needs slack.app_token (xapp-…)")
	}
	sm := socketmode.New(h.api)
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-sm.Events:
			h.onSocketEvent(ctx, sm, evt)
		}
	}
}

func (h *Handler) onSocketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	// Queue the work, then acknowledge: queueing takes microseconds, so
	// the ack is well within Slack's 3 seconds.
	switch data := evt.Data.(type) {
	case slack.SlashCommand:
		h.onCommand(ctx, data)
	case slack.InteractionCallback:
		h.onInteraction(ctx, &data)
	default:
		if evt.Type == socketmode.EventTypeEventsAPI {
			h.onEventsAPI(ctx, evt.Data)
		}
	}
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		if err := sm.Ack(*evt.Request); err != nil {
			h.log.Warn("slack: ack", "error", err)
		}
	}
}

// Close waits for queued work to finish, or for ctx to end.
func (h *Handler) Close(ctx context.Context) error {
	if err := h.queue.WaitContext(ctx); err != nil {
		return fmt.Errorf("slack: close: %w", err)
	}
	return nil
}

// enqueue runs job after the earlier work of the same conversation; the
// work outlives the event loop's shutdown (Close waits for it).
func (h *Handler) enqueue(ctx context.Context, key convKey, job func(context.Context)) {
	h.queue.GoJob(ctx, key, h.opts.JobTimeout, job)
}

// bot is the bot's own user ID (to ignore its messages and strip
// mentions), asked once with auth.test.
func (h *Handler) bot(ctx context.Context) string {
	h.botOnce.Do(func() {
		resp, err := h.api.AuthTestContext(ctx)
		if err != nil {
			h.log.Warn("slack: auth.test failed; mentions are not stripped", "error", err)
			return
		}
		h.botUser = resp.UserID
	})
	return h.botUser
}

// chatID names a conversation for flows: the channel and the thread.
func chatID(channel, thread string) string {
	if thread == "" {
		return channel
	}
	return channel + ":" + thread
}

// splitChat undoes chatID.
func splitChat(id string) (channel, thread string) {
	channel, thread, _ = strings.Cut(id, ":")
	return channel, thread
}
