// Package messenger delivers broadcasts through the Messenger Platform's
// Send API with net/http (no maintained Go SDK): text, image attachments,
// the button template and the generic template for cards; messaging_type
// UPDATE inside the 24-hour window and MESSAGE_TAG with the broadcast's tag
// outside it (RESPONSE for a test the admin asked for); appsecret_proof on
// every call.
package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// Config configures a Sender.
type Config struct {
	PageToken string
	// AppSecret, when set, signs every call with appsecret_proof.
	AppSecret string
	BaseURL   string // the Graph API root; the real one when empty
	Version   string // Graph API version, e.g. "v21.0"
	Client    *http.Client
	// MediaURL turns an uploaded image's MediaID into the URL Herald serves
	// it from.
	MediaURL func(mediaID string) string
}

// Sender sends one recipient's message per call.
type Sender struct {
	cfg   Config
	url   string
	proof string
	tail  []byte // the body after the message (body.go)
	cache renderCache
}

// New returns a Sender; it makes no request.
func New(cfg Config) (*Sender, error) {
	if cfg.PageToken == "" {
		return nil, errors.New("messenger: missing page access token")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://graph.facebook.com"
	}
	if cfg.Version == "" {
		cfg.Version = "v21.0"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 30 * time.Second}
	}
	s := &Sender{cfg: cfg, url: strings.TrimSuffix(cfg.BaseURL, "/") + "/" + cfg.Version + "/me/messages"}
	if cfg.AppSecret != "" {
		mac := hmac.New(sha256.New, []byte(cfg.AppSecret))
		mac.Write([]byte(cfg.PageToken))
		s.proof = hex.EncodeToString(mac.Sum(nil))
	}
	s.tail = newTail(cfg.PageToken, s.proof)
	return s, nil
}

// Send delivers m to its one recipient: one request, or a few when the
// content needs them (several pictures; text too long for a template).
// The body is a Send API request (the token travels in it, never in the
// URL, so no error or log line that quotes the URL can leak it), written
// around the content's parts encoded once (body.go).
func (s *Sender) Send(ctx context.Context, m *dispatch.Message) (string, error) {
	if len(m.To) != 1 {
		return "", fmt.Errorf("messenger: one recipient per message, got %d", len(m.To))
	}
	e := envelope{recipient: jsonString(m.To[0].Key.ID), messagingType: []byte(`"UPDATE"`)}
	switch {
	case m.Response:
		e.messagingType = []byte(`"RESPONSE"`)
	case m.Category == herald.NonMarketing:
		e.messagingType = []byte(`"MESSAGE_TAG"`)
		if m.Tag != "" {
			e.tag = jsonString(string(m.Tag))
		}
	}
	parts, err := s.parts(m.BroadcastID, &m.Content)
	if err != nil {
		return "", err
	}
	return m.SendParts(ctx, len(parts), func(i int) (string, error) {
		// a body of its own: the transport may still hold the last one
		return s.post(ctx, s.appendBody(make([]byte, 0, 192+len(parts[i])+len(s.tail)), &e, parts[i]))
	})
}

func (s *Sender) post(ctx context.Context, body []byte) (string, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("messenger: request: %w", err)
	}
	hr.Header["Content-Type"] = contentTypeJSON
	res, err := s.cfg.Client.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &herald.TemporaryError{Err: fmt.Errorf("messenger: %w", err)}
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", &herald.TemporaryError{Err: fmt.Errorf("messenger: read answer: %w", err)}
	}
	if res.StatusCode == http.StatusOK {
		return messageID(raw), nil
	}
	return "", translate(res, raw)
}

// contentTypeJSON is every request's Content-Type, in canonical form.
var contentTypeJSON = []string{"application/json"}

// graphError is Graph's error envelope.
type graphError struct {
	Error struct {
		Message     string `json:"message"`
		Code        int    `json:"code"`
		Subcode     int    `json:"error_subcode"`
		IsTransient bool   `json:"is_transient"`
	} `json:"error"`
}

// translate turns a Graph error into the root's errors.
func translate(res *http.Response, raw []byte) error {
	var g graphError
	_ = json.Unmarshal(raw, &g) // a proxy's page leaves it empty
	ge := g.Error
	msg := ge.Message
	if msg == "" {
		msg = res.Status
	}
	e := fmt.Errorf("messenger: %s (code %d)", msg, ge.Code)
	switch {
	case ge.Code == 551, ge.Code == 100 && ge.Subcode == 2018001:
		return fmt.Errorf("%w: %w", herald.ErrRecipientGone, e)
	case ge.Code == 10 || ge.Subcode == 2018278:
		return fmt.Errorf("%w: %w", herald.ErrOutsideWindow, e)
	case ge.Code == 4 || ge.Code == 17 || ge.Code == 32 || ge.Code == 613 || res.StatusCode == http.StatusTooManyRequests:
		after := time.Second
		if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && n > 0 {
			after = time.Duration(n) * time.Second
		}
		return &herald.RetryAfterError{After: after, Err: e}
	case res.StatusCode >= 500 || ge.IsTransient || ge.Code == 1 || ge.Code == 2:
		return &herald.TemporaryError{Err: e}
	}
	return e
}
