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

	"github.com/heraldbot/herald/metrics"
)

// WebhookHandler serves updates Telegram posts in webhook mode. Unlike the
// SDK's handler it answers a missing or wrong secret token with 401 (and
// counts it), and answers 200 only once the update is recorded; on 5xx
// Telegram delivers it again.
func (h *Handler) WebhookHandler() http.Handler {
	secret := []byte(h.opts.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			h.opts.Metrics.Webhook("telegram", metrics.WebhookBadSignature)
			h.log.Warn("telegram: webhook with a wrong secret token", "remote_addr", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var upd models.Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.opts.MaxBody)).Decode(&upd); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				h.opts.Metrics.Webhook("telegram", metrics.WebhookTooLarge)
				http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
				return
			}
			h.opts.Metrics.Webhook("telegram", metrics.WebhookBadRequest)
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if err := h.Process(r.Context(), []*models.Update{&upd}); err != nil {
			h.opts.Metrics.Webhook("telegram", metrics.WebhookError)
			h.log.Error("telegram: webhook update not recorded; Telegram will retry", "update_id", upd.ID, "error", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		h.opts.Metrics.Webhook("telegram", metrics.WebhookOK)
		w.WriteHeader(http.StatusOK)
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
