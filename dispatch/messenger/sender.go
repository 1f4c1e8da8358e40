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
	"sync"
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
	// BatchSize is the most recipients of a broadcast one request carries
	// as a Graph batch (batch.go), 1 to MaxBatch; 0 is MaxBatch, 1 sends
	// one request per recipient.
	BatchSize int
}

// Sender sends one recipient's message per call.
type Sender struct {
	cfg Config
	// request is every request but for its body and context: the Send
	// API's address parsed once and the headers, which requests share (a
	// RoundTripper does not modify the request; the client changes headers
	// only on a copy, for credentials in the URL and redirects).
	request *http.Request
	batch   *http.Request // a batch's: the Graph root (batch.go)
	proof   string
	head    string // a batch body's start (batchHead)
	tail    []byte // the body after the message (body.go)
	cache   renderCache
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
		cfg.Client = dispatch.NewHTTPClient()
	}
	switch {
	case cfg.BatchSize == 0:
		cfg.BatchSize = MaxBatch
	case cfg.BatchSize < 0 || cfg.BatchSize > MaxBatch:
		return nil, fmt.Errorf("messenger: batch size %d: want 1 to %d", cfg.BatchSize, MaxBatch)
	}
	// every request's address and Host, as http.NewRequest makes them
	at, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(cfg.BaseURL, "/")+"/"+cfg.Version+"/me/messages", nil)
	if err != nil {
		return nil, fmt.Errorf("messenger: base URL: %w", err)
	}
	at.Header.Set("Content-Type", "application/json")
	batch, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(cfg.BaseURL, "/")+"/"+cfg.Version+"/", nil) // parsed above
	batch.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	s := &Sender{cfg: cfg, request: at, batch: batch}
	if cfg.AppSecret != "" {
		mac := hmac.New(sha256.New, []byte(cfg.AppSecret))
		mac.Write([]byte(cfg.PageToken))
		s.proof = hex.EncodeToString(mac.Sum(nil))
	}
	s.tail = newTail(cfg.PageToken, s.proof)
	s.head = batchHead(cfg.PageToken, s.proof)
	return s, nil
}

// Send delivers m to its one recipient: one request, or a few when the
// content needs them (several pictures; text too long for a template).
// The body is a Send API request (the token travels in it, never in the
// URL, so no error or log line that quotes the URL can leak it), written
// around the content's parts encoded once (body.go).
//
// Several recipients (a broadcast's, dispatch.Multicaster) go in one batch
// request instead (batch.go), and the answer is a *dispatch.EachError.
func (s *Sender) Send(ctx context.Context, m *dispatch.Message) (string, error) {
	if len(m.To) == 0 {
		return "", errors.New("messenger: a message with no recipient")
	}
	parts, err := s.parts(m.BroadcastID, &m.Content)
	if err != nil {
		return "", err
	}
	if len(m.To) > 1 {
		return "", s.sendBatch(ctx, m, parts)
	}
	e := envelope{recipient: m.To[0].Key.ID, messagingType: messagingType(m)}
	if e.messagingType == "MESSAGE_TAG" && m.Tag != "" {
		e.tag = string(appendJSONString(nil, string(m.Tag)))
	}
	return m.SendParts(ctx, len(parts), func(i int) (string, error) {
		// a body of its own: the transport may still hold the last one
		return s.post(ctx, s.appendBody(make([]byte, 0, 64+len(e.recipient)+len(e.tag)+len(parts[i])+len(s.tail)), &e, parts[i]))
	})
}

// post sends one request body. Per recipient it parses no URL (the
// request is made around the Send API's address parsed once) and reads the
// answer into a pooled buffer: with the request itself, what the sender
// costs besides the HTTP round trip.
func (s *Sender) post(ctx context.Context, body []byte) (id string, err error) {
	err = s.roundTrip(ctx, s.request, body, func(raw []byte) error {
		id = messageID(raw)
		return nil
	})
	return id, err
}

// roundTrip posts body to the address of at and gives a 200 answer's body
// to ok (valid only during the call); any other answer is translated.
func (s *Sender) roundTrip(ctx context.Context, at *http.Request, body []byte, ok func(raw []byte) error) error {
	// The body stays a *bytes.Reader behind io.NopCloser: net/http knows
	// that one is in memory and writes the request in one system call (any
	// other type has its headers flushed first, a second write).
	hr := at.WithContext(ctx) // a copy of its own
	hr.Body, hr.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	res, err := s.cfg.Client.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &herald.TemporaryError{Err: fmt.Errorf("messenger: %w", err)}
	}
	defer res.Body.Close()
	a := answers.Get().(*answer)
	defer a.release()
	a.limit.R, a.limit.N = res.Body, maxAnswer
	if _, err := a.buf.ReadFrom(&a.limit); err != nil {
		return &herald.TemporaryError{Err: fmt.Errorf("messenger: read answer: %w", err)}
	}
	if res.StatusCode == http.StatusOK {
		return ok(a.buf.Bytes())
	}
	return translate(res.StatusCode, res.Header.Get("Retry-After"), a.buf.Bytes())
}

// messagingType is m's messaging_type: RESPONSE for a test's reply,
// MESSAGE_TAG for non-marketing content (with the broadcast's tag),
// UPDATE otherwise.
func messagingType(m *dispatch.Message) string {
	switch {
	case m.Response:
		return "RESPONSE"
	case m.Category == herald.NonMarketing:
		return "MESSAGE_TAG"
	}
	return "UPDATE"
}

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 64 << 10

// answer is the buffer an answer is read into, kept in answers between
// requests (a batch's of 50 calls takes ~5 KB; a bigger one, a proxy's
// error page, is dropped).
type answer struct {
	buf   bytes.Buffer
	limit io.LimitedReader
}

var answers = sync.Pool{New: func() any { return new(answer) }}

func (a *answer) release() {
	a.limit.R = nil
	if a.buf.Cap() > 16<<10 {
		return
	}
	a.buf.Reset()
	answers.Put(a)
}

// graphError is Graph's error envelope.
type graphError struct {
	Error struct {
		Message     string `json:"message"`
		Code        int    `json:"code"`
		Subcode     int    `json:"error_subcode"`
		IsTransient bool   `json:"is_transient"`
	} `json:"error"`
}

// translate turns a Graph error, answered with HTTP status (a whole
// request's, or one call's of a batch) and the Retry-After header's value,
// into the root's errors.
func translate(status int, retryAfter string, raw []byte) error {
	var g graphError
	_ = json.Unmarshal(raw, &g) // a proxy's page leaves it empty
	ge := g.Error
	msg := ge.Message
	if msg == "" {
		msg = strconv.Itoa(status) + " " + http.StatusText(status)
	}
	e := fmt.Errorf("messenger: %s (code %d)", msg, ge.Code)
	switch {
	case ge.Code == 551, ge.Code == 100 && ge.Subcode == 2018001:
		return fmt.Errorf("%w: %w", herald.ErrRecipientGone, e)
	case ge.Code == 10 || ge.Subcode == 2018278:
		return fmt.Errorf("%w: %w", herald.ErrOutsideWindow, e)
	case ge.Code == 4 || ge.Code == 17 || ge.Code == 32 || ge.Code == 613 || status == http.StatusTooManyRequests:
		after := time.Second
		if n, err := strconv.Atoi(retryAfter); err == nil && n > 0 {
			after = time.Duration(n) * time.Second
		}
		return &herald.RetryAfterError{After: after, Err: e}
	case status >= 500 || ge.IsTransient || ge.Code == 1 || ge.Code == 2:
		return &herald.TemporaryError{Err: e}
	}
	return e
}
