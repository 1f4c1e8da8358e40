// Package line delivers broadcasts through the LINE Messaging API with
// github.com/line/line-bot-sdk-go/v8: push for one recipient or personalised
// content, multicast (up to 500 users) for identical content; text, images,
// and Flex bubbles for cards and buttons. Every request carries a retry
// key derived from the engine's X-Line-Retry-Key, so a resend is answered
// 409 and not delivered twice.
//
// What LINE does not tell: a multicast is answered 200 even for users who
// blocked the account (LINE drops them silently), so they are counted as
// sent. Herald learns of blocks from the unfollow webhook instead
// (handlers/line marks the subscriber blocked); later runs, and a running
// one that has not reached them yet, skip them. A push to a blocked user
// does fail, and is recorded as blocked.
package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// Config configures a Sender.
type Config struct {
	Token   string // channel access token
	BaseURL string // the Messaging API root; the real one when empty
	Client  *http.Client
	// MediaURL turns an uploaded image's MediaID into the URL Herald serves
	// it from.
	MediaURL func(mediaID string) string
	Logger   *slog.Logger
}

// Sender sends pushes and multicasts.
type Sender struct{ cfg Config }

// MaxRecipients is LINE's multicast cap.
const MaxRecipients = 500

// New returns a Sender; it makes no request.
func New(cfg Config) (*Sender, error) {
	if cfg.Token == "" {
		return nil, errors.New("line: missing channel access token")
	}
	if cfg.Client == nil {
		cfg.Client = dispatch.NewHTTPClient()
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.line.me"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := messaging_api.NewMessagingApiAPI(cfg.Token, messaging_api.WithEndpoint(cfg.BaseURL)); err != nil {
		return nil, fmt.Errorf("line: base URL: %w", err)
	}
	return &Sender{cfg: cfg}, nil
}

// PushClass and MulticastClass name the rate classes of LINE's two
// endpoints, which LINE limits separately: dispatch.Limits sets their
// rates by these names.
const (
	PushClass      = "line/push"
	MulticastClass = "line/multicast"
)

// LINE's published per-endpoint request rates, the classes' defaults.
const (
	PushPerSecond      = 2000
	MulticastPerSecond = 200
)

// Rates implements dispatch.RateLimited: push and multicast are limited
// apart.
func (s *Sender) Rates() dispatch.Rates {
	return dispatch.Rates{
		Single:    dispatch.RateClass{Name: PushClass, PerSecond: PushPerSecond},
		Multicast: dispatch.RateClass{Name: MulticastClass, PerSecond: MulticastPerSecond},
	}
}

// MaxMulticast implements dispatch.Multicaster.
func (s *Sender) MaxMulticast() int { return MaxRecipients }

// DeduplicatesRetries implements dispatch.Deduplicator: LINE accepts each
// X-Line-Retry-Key once, so a send a crash left unknown is repeated safely.
func (s *Sender) DeduplicatesRetries() bool { return true }

// Send pushes to one recipient, or multicasts to several users. Content of
// more than five LINE messages (ten pictures and a caption) takes several
// requests to the same recipients, in order; each has its own retry key
// derived from the message's, so when the engine sends the message again
// after an error, the parts LINE already accepted are answered 409 and
// not delivered twice. A part that fails stops the rest: a
// *dispatch.PartialError says how many were delivered before it, and a
// later message with FromPart set sends only the parts after those.
func (s *Sender) Send(ctx context.Context, m *dispatch.Message) (string, error) {
	if len(m.To) == 0 || len(m.To) > MaxRecipients {
		return "", fmt.Errorf("line: %d recipients, want 1 to %d", len(m.To), MaxRecipients)
	}
	parts, err := s.parts(m)
	if err != nil {
		return "", err
	}
	// A client per call: WithContext stores the context on the client.
	api, err := messaging_api.NewMessagingApiAPI(s.cfg.Token,
		messaging_api.WithEndpoint(s.cfg.BaseURL), messaging_api.WithHTTPClient(s.cfg.Client))
	if err != nil {
		return "", fmt.Errorf("line: client: %w", err)
	}
	api.WithContext(ctx)
	return m.SendParts(ctx, len(parts), func(i int) (string, error) {
		return s.send(api, m.To, parts[i], partRetryKey(m.RetryKey, i))
	})
}

// send makes one push or multicast request.
func (s *Sender) send(api *messaging_api.MessagingApiAPI, recipients []dispatch.Recipient, msgs []messaging_api.MessageInterface, retryKey string) (string, error) {
	if len(recipients) == 1 {
		res, out, err := api.PushMessageWithHttpInfo(&messaging_api.PushMessageRequest{To: recipients[0].Key.ID, Messages: msgs}, retryKey)
		if err == nil && out != nil && len(out.SentMessages) > 0 {
			return out.SentMessages[0].Id, nil
		}
		return acceptedID(res), translate(res, err, true)
	}
	to := make([]string, len(recipients))
	for i, r := range recipients {
		to[i] = r.Key.ID
	}
	res, _, err := api.MulticastWithHttpInfo(&messaging_api.MulticastRequest{To: to, Messages: msgs}, retryKey)
	if err == nil {
		return res.Header.Get("X-Line-Request-Id"), nil
	}
	return acceptedID(res), translate(res, err, false)
}

// partNamespace is the UUIDv5 namespace of part keys: the ASCII bytes
// "herald-line-part", which keys derived before Herald used the uuid package
// hashed first too, so a run resumed across that upgrade keeps its keys.
var partNamespace = uuid.UUID([]byte("herald-line-part"))

// partRetryKey is the X-Line-Retry-Key of part i of a message whose key is
// base: base itself for the first part (a one-part message is unchanged),
// then a UUIDv5 derived from base and i, so that the same part of the same
// run's batch always carries the same key.
func partRetryKey(base string, i int) string {
	if i == 0 || base == "" {
		return base
	}
	return uuid.NewSHA1(partNamespace, []byte("\x00"+base+"\x00"+strconv.Itoa(i))).String()
}

// acceptedID is the request that first used the retry key, on a 409.
func acceptedID(res *http.Response) string {
	if res == nil {
		return ""
	}
	return res.Header.Get("X-Line-Accepted-Request-Id")
}

// translate turns an SDK call's outcome into the root's errors. A 409 on a
// retry key means the same request was accepted before: success.
func translate(res *http.Response, err error, push bool) error {
	if err == nil {
		return nil
	}
	if res == nil { // transport: no answer
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &herald.TemporaryError{Err: fmt.Errorf("line: %w", err)}
	}
	defer res.Body.Close()
	var body messaging_api.ErrorResponse
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	_ = json.Unmarshal(raw, &body) // a proxy's HTML page leaves Message empty
	reason := body.Message
	for _, d := range body.Details {
		reason += "; " + d.Property + ": " + d.Message
	}
	if reason == "" {
		reason = res.Status
	}
	e := fmt.Errorf("line: %d %s", res.StatusCode, reason)
	switch code := res.StatusCode; {
	case code == http.StatusConflict && res.Header.Get("X-Line-Accepted-Request-Id") != "":
		return nil
	case code == http.StatusTooManyRequests && strings.Contains(body.Message, "monthly limit"):
		return e // the quota comes back next month, not in a second
	case code == http.StatusTooManyRequests:
		return &herald.RetryAfterError{After: retryAfter(res), Err: e}
	case code >= 500:
		return &herald.TemporaryError{Err: e}
	case push && (code == http.StatusNotFound || code == http.StatusBadRequest && body.Message == "Failed to send messages"):
		// LINE's answer for a user it does not know or who blocked the bot.
		return fmt.Errorf("%w: %w", herald.ErrRecipientGone, e)
	}
	return e
}

func retryAfter(res *http.Response) time.Duration {
	if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return time.Second
}
