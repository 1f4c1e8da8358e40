package inbound

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/heraldbot/herald/metrics"
)

// Webhook answers one platform's end-user webhook requests and counts each
// result, so every webhook keeps the same promise: 200 only once the events
// are recorded (platforms redeliver after a 5xx), 401 for a bad signature,
// 413 or 400 for a body that cannot be read.
type Webhook struct {
	Platform string // the metrics label: "line", "messenger", "telegram"
	Metrics  *metrics.Metrics
	Logger   *slog.Logger
}

// BadSignature answers 401 with text and logs msg with the caller's
// address: a missing or wrong signature or secret token.
func (wh Webhook) BadSignature(w http.ResponseWriter, r *http.Request, text, msg string) {
	wh.Metrics.Webhook(wh.Platform, metrics.WebhookBadSignature)
	wh.Logger.Warn(msg, "remote_addr", r.RemoteAddr)
	http.Error(w, text, http.StatusUnauthorized)
}

// Unreadable answers a body that could not be read or parsed: 413 when it
// went over its http.MaxBytesReader limit, else 400 with text. err is not
// logged: parsers' messages quote the body.
func (wh Webhook) Unreadable(w http.ResponseWriter, err error, text string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		wh.Metrics.Webhook(wh.Platform, metrics.WebhookTooLarge)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	wh.Metrics.Webhook(wh.Platform, metrics.WebhookBadRequest)
	http.Error(w, text, http.StatusBadRequest)
}

// Recorded answers once the request's events went to the Inbox: 200, or
// 500 when err (logged as msg with args) so that the platform tries again.
func (wh Webhook) Recorded(w http.ResponseWriter, err error, msg string, args ...any) {
	if err != nil {
		wh.Metrics.Webhook(wh.Platform, metrics.WebhookError)
		wh.Logger.Error(msg, append(args, "error", err)...)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	wh.Metrics.Webhook(wh.Platform, metrics.WebhookOK)
	w.WriteHeader(http.StatusOK)
}
