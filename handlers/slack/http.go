package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds an HTTP request from Slack.
const maxBody = 1 << 20

// HTTPHandler serves Slack over HTTP instead of Socket Mode: point the
// app's Event Subscriptions, Interactivity and slash command URLs at it
// (one URL serves all three). Every request's signature is checked with
// the signing secret before anything is read from it; the answer comes at
// once and the work is queued, well within Slack's 3 seconds.
func (h *Handler) HTTPHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := h.verify(r.Header, body); err != nil {
			h.log.Warn("slack: request with a bad signature", "remote_addr", r.RemoteAddr, "error", err)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		// The body was consumed by the check: restore it for the parsers.
		r.Body = io.NopCloser(bytes.NewReader(body))
		ctx := r.Context()
		switch {
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
			if err != nil {
				http.Error(w, "bad event", http.StatusBadRequest)
				return
			}
			if ev.Type == slackevents.URLVerification {
				var ch slackevents.ChallengeResponse
				_ = json.Unmarshal(body, &ch)
				w.Header().Set("Content-Type", "text/plain")
				_, _ = w.Write([]byte(ch.Challenge))
				return
			}
			h.onEventsAPI(ctx, ev)
		default:
			if err := r.ParseForm(); err != nil {
				http.Error(w, "bad form", http.StatusBadRequest)
				return
			}
			if payload := r.PostForm.Get("payload"); payload != "" {
				var cb slack.InteractionCallback
				if err := json.Unmarshal([]byte(payload), &cb); err != nil {
					http.Error(w, "bad payload", http.StatusBadRequest)
					return
				}
				h.onInteraction(ctx, &cb)
				break
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			cmd, err := slack.SlashCommandParse(r)
			if err != nil || cmd.Command == "" {
				http.Error(w, "bad command", http.StatusBadRequest)
				return
			}
			h.onCommand(ctx, cmd)
		}
		w.WriteHeader(http.StatusOK)
	})
}

// verify checks X-Slack-Signature (HMAC-SHA256 of the body with the
// signing secret, compared in constant time by slack-go) and the request's
// age.
func (h *Handler) verify(header http.Header, body []byte) error {
	if h.opts.SigningSecret == "" {
		return errors.New("slack: no signing secret configured")
	}
	sv, err := slack.NewSecretsVerifier(header, h.opts.SigningSecret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}
