// Package line receives the LINE Official Account's webhook: follows,
// unfollows, messages, postbacks (button taps) and the groups the account
// joins or leaves, checked by the SDK's signature verification and
// recorded through the inbound Inbox before LINE gets its 200.
package line

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
)

// Options configure a Handler.
type Options struct {
	ChannelSecret string
	ChannelToken  string
	// APIURL is the Messaging API base URL (required; a fake in tests).
	APIURL string
	inbound.Endpoint
	// Account is the name of the channel's account ("" the default one):
	// its followers are its own subscribers.
	Account string
}

// Handler is the LINE webhook endpoint.
type Handler struct {
	opts   Options
	api    *messaging_api.MessagingApiAPI
	log    *slog.Logger
	answer inbound.Webhook
}

// New builds a Handler; it makes no network call.
func New(opts Options) (*Handler, error) {
	if opts.ChannelSecret == "" || opts.ChannelToken == "" || opts.APIURL == "" || opts.Inbox == nil {
		return nil, errors.New("line: channel secret, channel token, API URL and inbox are required")
	}
	opts.Endpoint = opts.Endpoint.WithDefaults()
	// No WithContext on this client: it stores the context on the shared
	// client (a data race); the HTTP client's timeout bounds calls instead.
	api, err := messaging_api.NewMessagingApiAPI(opts.ChannelToken,
		messaging_api.WithEndpoint(strings.TrimSuffix(opts.APIURL, "/")),
		messaging_api.WithHTTPClient(opts.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("line: messaging API client: %w", err)
	}
	return &Handler{opts: opts, api: api, log: opts.Logger,
		answer: opts.Webhook("line", opts.Account)}, nil
}

// ServeHTTP answers 401 to a bad or missing X-Line-Signature, 413 to an
// oversized body, and 200 once every event is recorded (500 otherwise, so
// LINE's redelivery, when enabled, tries again).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBody)
	cb, err := webhook.ParseRequest(h.opts.ChannelSecret, r)
	if errors.Is(err, webhook.ErrInvalidSignature) {
		h.answer.BadSignature(w, r, "bad signature", "line: webhook with a bad signature")
		return
	}
	if err != nil { // the SDK's message quotes the body: never log it
		h.answer.Unreadable(w, err, "bad request")
		return
	}
	evs, metas := translate(cb.Events)
	for i := range evs {
		evs[i].Key.Account = h.opts.Account
	}
	h.answer.Recorded(w, h.record(r.Context(), evs, metas), "line: webhook events not recorded", "events", len(evs))
}

func (h *Handler) record(ctx context.Context, evs []inbound.Event, metas []meta) error {
	results, err := h.opts.Inbox.Record(ctx, evs...)
	if err != nil {
		return fmt.Errorf("line: record: %w", err)
	}
	for i, res := range results {
		if metas[i].fetchProfile && !res.Repeat {
			h.opts.Inbox.Later(evs[i].Key.String(), func(ctx context.Context) { h.fetchProfile(ctx, evs[i].Key) })
		}
	}
	h.opts.Inbox.LaterReplies(evs, results, func(_ context.Context, to, text string) { h.push(to, text) })
	return nil
}

// fetchProfile learns a new follower's display name and language, best
// effort: a failure leaves the subscriber without a name.
func (h *Handler) fetchProfile(ctx context.Context, key herald.SubscriberKey) {
	p, err := h.api.GetProfile(key.ID)
	if err != nil {
		h.log.Info("line: profile not fetched", "subscriber", key.String(), "error", err)
		return
	}
	if err := h.opts.Inbox.UpdateProfile(ctx, key, p.DisplayName, p.Language); err != nil {
		h.log.Warn("line: profile not saved", "subscriber", key.String(), "error", err)
	}
}

// push sends a confirmation. Push rather than reply: under a burst the
// follow-up may run after the one-minute reply token has expired.
func (h *Handler) push(to, text string) {
	_, err := h.api.PushMessage(&messaging_api.PushMessageRequest{
		To: to, Messages: []messaging_api.MessageInterface{messaging_api.TextMessage{Text: text}},
	}, uuid.NewString()) // a random UUID: LINE rejects other retry keys
	if err != nil {
		h.log.Warn("line: confirmation not sent", "error", err)
	}
}
