package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// WebhookHandler serves updates Telegram posts in webhook mode. Unlike the
// SDK's handler it answers a missing or wrong secret token with 401 (and
// counts it), and answers 200 only once the update is recorded; on 5xx
// Telegram delivers it again.
func (h *Handler) WebhookHandler() http.Handler {
	secret := []byte(h.opts.WebhookSecret)
	reply := h.opts.Webhook("telegram", h.opts.Account)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			reply.BadSignature(w, r, "unauthorized", "telegram: webhook with a wrong secret token")
			return
		}
		var upd models.Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.opts.MaxBody)).Decode(&upd); err != nil {
			reply.Unreadable(w, err, "bad update")
			return
		}
		reply.Recorded(w, h.Process(r.Context(), []*models.Update{&upd}),
			"telegram: webhook update not recorded; Telegram will retry", "update_id", upd.ID)
	})
}

// SetWebhook switches Telegram to webhook mode at url with the handler's
// secret token, asking for the update types Herald reads.
func (h *Handler) SetWebhook(ctx context.Context, url string) error {
	if h.opts.WebhookSecret == "" {
		return errors.New("telegram: set webhook: a webhook secret is required")
	}
	if _, err := h.bot.SetWebhook(ctx, &bot.SetWebhookParams{URL: url, SecretToken: h.opts.WebhookSecret,
		AllowedUpdates: allowedUpdates}); err != nil {
		return fmt.Errorf("telegram: set webhook: %w", err)
	}
	return nil
}
