package inbound

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/heraldbot/herald/metrics"
)

// Webhook answers one platform's end-user webhook requests and counts each
// result, so every webhook keeps the same promise: 200 only once the events
// are recorded (platforms redeliver after a 5xx), 401 for a bad signature,
// 413 or 400 for a body that cannot be read.
type Webhook struct {
	Platform string // the metrics label: "line", "messenger", "telegram"
	Account  string // the account's name, "" the default (label "main")
	Metrics  *metrics.Metrics
	Logger   *slog.Logger
}

// BadSignature answers 401 with text and logs msg with the caller's
// address: a missing or wrong signature or secret token.
func (wh Webhook) BadSignature(w http.ResponseWriter, r *http.Request, text, msg string) {
	wh.Metrics.Webhook(wh.Platform, wh.Account, metrics.WebhookBadSignature)
	wh.Logger.Warn(msg, "remote_addr", r.RemoteAddr)
	http.Error(w, text, http.StatusUnauthorized)
}

// Unreadable answers a body that could not be read or parsed: 413 when it
// went over its http.MaxBytesReader limit, else 400 with text. err is not
// logged: parsers' messages quote the body.
func (wh Webhook) Unreadable(w http.ResponseWriter, err error, text string) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		wh.Metrics.Webhook(wh.Platform, wh.Account, metrics.WebhookTooLarge)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	wh.Metrics.Webhook(wh.Platform, wh.Account, metrics.WebhookBadRequest)
	http.Error(w, text, http.StatusBadRequest)
}

// Recorded answers once the request's events went to the Inbox: 200, or
// 500 when err (logged as msg with args) so that the platform tries again.
func (wh Webhook) Recorded(w http.ResponseWriter, err error, msg string, args ...any) {
	if err != nil {
		wh.Metrics.Webhook(wh.Platform, wh.Account, metrics.WebhookError)
		wh.Logger.Error(msg, append(args, "error", err)...)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	wh.Metrics.Webhook(wh.Platform, wh.Account, metrics.WebhookOK)
	w.WriteHeader(http.StatusOK)
}

// Endpoint is what an end-user webhook handler is given besides its
// platform's secrets: the Inbox its events go to, the client it calls its
// platform back with, and where it logs and counts. Handlers embed it in
// their options.
type Endpoint struct {
	Inbox *Inbox
	// HTTPClient calls the platform back (default: a 10s timeout).
	HTTPClient *http.Client
	Logger     *slog.Logger
	Metrics    *metrics.Metrics
	// MaxBody bounds a webhook body (default 1 MiB; platforms' are far
	// smaller).
	MaxBody int64
}

// WithDefaults is e with what was left out filled in.
func (e Endpoint) WithDefaults() Endpoint {
	if e.HTTPClient == nil {
		e.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if e.Logger == nil {
		e.Logger = slog.New(slog.DiscardHandler)
	}
	if e.MaxBody <= 0 {
		e.MaxBody = 1 << 20
	}
	return e
}

// Webhook answers requests for platform's account ("" the default; the
// metrics labels) as e says.
func (e Endpoint) Webhook(platform, account string) Webhook {
	return Webhook{Platform: platform, Account: account, Metrics: e.Metrics, Logger: e.Logger}
}

// LaterReplies queues each recorded event's confirmation (Result.Reply),
// if it has one, on its subscriber's follow-up lane, for send to deliver
// to the subscriber's ID on the platform.
func (in *Inbox) LaterReplies(evs []Event, results []Result, send func(ctx context.Context, to, text string)) {
	for i, res := range results {
		if res.Reply != "" {
			in.Later(evs[i].Key.String(), func(ctx context.Context) { send(ctx, evs[i].Key.ID, res.Reply) })
		}
	}
}
