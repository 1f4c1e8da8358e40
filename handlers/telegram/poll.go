package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald/metrics"
)

// allowedUpdates are the update types Herald asks for (end users and the
// admin side).
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Poll receives updates by long polling until ctx ends. It calls
// getUpdates itself rather than through the SDK's loop, because the SDK
// confirms an update (advances the offset) as soon as it is handed to a
// handler: here the offset moves only after Process has made the batch
// durable, so a crash means redelivery, never loss.
func (h *Handler) Poll(ctx context.Context) error {
	// A webhook left set from webhook mode makes getUpdates fail (409).
	if _, err := h.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil && ctx.Err() == nil {
		h.log.Warn("telegram: could not delete a webhook before polling", "error", err)
	}
	var offset, confirmed int64
	backoff := time.Duration(0)
	defer func() {
		if offset > confirmed { // tell Telegram what we already recorded
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_, _ = h.getUpdates(cctx, offset, 0)
		}
	}()
	for ctx.Err() == nil {
		if backoff > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		upds, err := h.getUpdates(ctx, offset, int(h.opts.PollTimeout/time.Second))
		if ctx.Err() != nil {
			return nil
		}
		confirmed = offset
		if err != nil {
			var ra *retryAfter
			if errors.As(err, &ra) {
				backoff = ra.after
			} else {
				backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			}
			h.log.Warn("telegram: getUpdates failed", "error", err, "retry_in", backoff)
			continue
		}
		if len(upds) == 0 {
			backoff = 0
			continue
		}
		if err := h.Process(ctx, upds); err != nil {
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			h.log.Error("telegram: record updates; they will be fetched again", "error", err, "retry_in", backoff)
			h.opts.Metrics.Webhook("telegram", h.opts.Account, metrics.WebhookError)
			continue
		}
		h.opts.Metrics.Webhook("telegram", h.opts.Account, metrics.WebhookOK)
		backoff = 0
		offset = upds[len(upds)-1].ID + 1
	}
	return nil
}

type retryAfter struct{ after time.Duration }

func (e *retryAfter) Error() string { return fmt.Sprintf("rate limited for %s", e.after) }

// getUpdates calls the Bot API's getUpdates; the bot token never appears
// in the returned error.
func (h *Handler) getUpdates(ctx context.Context, offset int64, timeout int) ([]*models.Update, error) {
	body, _ := json.Marshal(map[string]any{"offset": offset, "timeout": timeout, "allowed_updates": allowedUpdates})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.opts.APIURL+"/bot"+h.opts.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("telegram: getUpdates: bad API URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("telegram: getUpdates: %w", ue.Err)
		}
		return nil, errors.New("telegram: getUpdates: request failed")
	}
	defer resp.Body.Close()
	var out struct {
		OK          bool             `json:"ok"`
		Result      []*models.Update `json:"result"`
		Description string           `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: HTTP %d: unreadable answer: %w", resp.StatusCode, err)
	}
	if !out.OK {
		if out.Parameters.RetryAfter > 0 {
			return nil, &retryAfter{time.Duration(out.Parameters.RetryAfter) * time.Second}
		}
		return nil, fmt.Errorf("telegram: getUpdates: HTTP %d: %s", resp.StatusCode, out.Description)
	}
	return out.Result, nil
}
