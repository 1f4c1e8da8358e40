// Package messenger receives the Facebook Page's webhook: the verify-token
// handshake, then messages, postbacks and quick replies, each request's
// X-Hub-Signature-256 checked against the app secret. Messages keep the
// 24-hour window's clock (LastInteraction); postbacks on broadcast buttons
// are taps.
package messenger

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/metrics"
)

// Options configure a Handler.
type Options struct {
	AppSecret   string
	VerifyToken string
	PageToken   string
	// APIURL is the Graph API base (required; a fake in tests) and
	// APIVersion its version, e.g. "v21.0".
	APIURL     string
	APIVersion string
	inbound.Endpoint
	// Account is the name of the page's account ("" the default one): the
	// people who write to it are its own subscribers.
	Account string
	// Pages are other pages' handlers by page ID, for pages of the same
	// Meta app: the app has one webhook URL, so their events arrive here
	// (signed with the same app secret) and go to their own account.
	Pages map[string]*Handler
}

// Handler is the Messenger webhook endpoint (GET handshake, POST events).
type Handler struct {
	opts   Options
	log    *slog.Logger
	answer inbound.Webhook
}

// New builds a Handler; it makes no network call.
func New(opts Options) (*Handler, error) {
	if opts.AppSecret == "" || opts.VerifyToken == "" || opts.PageToken == "" || opts.APIURL == "" || opts.Inbox == nil {
		return nil, errors.New("messenger: app secret, verify token, page token, API URL and inbox are required")
	}
	opts.Endpoint = opts.Endpoint.WithDefaults()
	opts.APIURL = strings.TrimSuffix(opts.APIURL, "/")
	return &Handler{opts: opts, log: opts.Logger,
		answer: opts.Webhook("messenger", opts.Account)}, nil
}

// ServeHTTP serves the handshake (GET) and events (POST).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers Meta's subscription handshake: echo hub.challenge when
// hub.verify_token is ours, else 403.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := []byte(q.Get("hub.verify_token"))
	if q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare(token, []byte(h.opts.VerifyToken)) != 1 {
		h.opts.Metrics.Webhook("messenger", h.opts.Account, metrics.WebhookBadSignature)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBody))
	if err != nil {
		h.answer.Unreadable(w, err, "bad request")
		return
	}
	if !validSignature(h.opts.AppSecret, r.Header.Get("X-Hub-Signature-256"), body) {
		h.answer.BadSignature(w, r, "bad signature", "messenger: webhook with a bad signature")
		return
	}
	evs, pages, err := parse(body)
	if err != nil {
		h.answer.Unreadable(w, err, "bad request")
		return
	}
	// Each page's events are its account's, recorded (and answered, with
	// its own token) by its handler.
	by := map[*Handler][]inbound.Event{}
	order := []*Handler{}
	for i, ev := range evs {
		to := h.opts.Pages[pages[i]]
		if to == nil {
			to = h
		}
		if _, seen := by[to]; !seen {
			order = append(order, to)
		}
		ev.Key.Account = to.opts.Account
		by[to] = append(by[to], ev)
	}
	var errs []error
	for _, to := range order {
		errs = append(errs, to.record(r.Context(), by[to]))
	}
	h.answer.Recorded(w, errors.Join(errs...), "messenger: webhook events not recorded", "events", len(evs))
}

// validSignature checks "sha256=<hex HMAC-SHA256(app secret, body)>".
func validSignature(secret, header string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

func (h *Handler) record(ctx context.Context, evs []inbound.Event) error {
	results, err := h.opts.Inbox.Record(ctx, evs...)
	if err != nil {
		return fmt.Errorf("messenger: record: %w", err)
	}
	h.opts.Inbox.LaterReplies(evs, results, h.reply)
	return nil
}
