package telegram

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// textClient makes sendMessage requests itself, in the SDK's wire format
// (a multipart form) and answering the SDK's errors, so translate and the
// supergroup migration read them alike. The SDK builds every form by
// reflection through a pipe and a goroutine and decodes each answer twice:
// at broadcast rates that was a fifth of the dispatcher's CPU
// (`bot bench dispatch -channel telegram -cpuprofile`), for the one request
// nearly every recipient gets. Pictures still go through the SDK.
type textClient struct {
	url      string // …/bot<token>/sendMessage
	token    string
	boundary string
	// contentType is every request's Content-Type header, made once.
	contentType []string
	client      *http.Client
}

func newTextClient(baseURL, token string, client *http.Client) *textClient {
	if baseURL == "" {
		baseURL = "https://api.telegram.org"
	}
	boundary := "herald" + rand.Text()
	return &textClient{url: strings.TrimSuffix(baseURL, "/") + "/bot" + token + "/sendMessage", token: token,
		boundary: boundary, contentType: []string{"multipart/form-data; boundary=" + boundary}, client: client}
}

// textAnswer is the part of the Bot API's answer a send needs.
type textAnswer struct {
	OK     bool `json:"ok"`
	Result struct {
		MessageID int `json:"message_id"`
	} `json:"result"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after"`
		MigrateToChatID int `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// send posts text (HTML) with its keyboard, if any, to chat; preview, if
// not "", is the address Telegram draws the link preview from.
func (c *textClient) send(ctx context.Context, chat any, text string, kb models.ReplyMarkup, preview string) (string, error) {
	var id string
	switch v := chat.(type) {
	case int64:
		id = strconv.FormatInt(v, 10)
	case string:
		id = v
	default:
		return "", fmt.Errorf("telegram: chat %v: unknown ID type", chat)
	}
	var markup []byte
	if kb != nil {
		var err error
		if markup, err = json.Marshal(kb); err != nil {
			return "", fmt.Errorf("telegram: keyboard: %w", err)
		}
	}
	// Sized for the whole form: growing it was a tenth of the sender's
	// allocations.
	body := make([]byte, 0, 4*(len(c.boundary)+fieldOverhead)+len(id)+len(text)+len(markup)+64)
	body = c.field(body, "chat_id", id)
	body = c.field(body, "text", text)
	body = c.field(body, "parse_mode", string(models.ParseModeHTML))
	if markup != nil {
		body = c.field(body, "reply_markup", string(markup))
	}
	if preview != "" {
		opts, err := json.Marshal(models.LinkPreviewOptions{URL: &preview})
		if err != nil {
			return "", fmt.Errorf("telegram: link preview: %w", err)
		}
		body = c.field(body, "link_preview_options", string(opts))
	}
	body = append(append(append(body, "--"...), c.boundary...), "--\r\n"...)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("error create request for method sendMessage, %w", err)
	}
	req.Header["Content-Type"] = c.contentType
	res, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = strings.ReplaceAll(ue.URL, c.token, "***")
		}
		return "", fmt.Errorf("error do request for method sendMessage, %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", fmt.Errorf("error read response body for method sendMessage, %w", err)
	}
	if id, ok := sentID(raw); ok {
		return id, nil
	}
	var a textAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", fmt.Errorf("error decode response body for method sendMessage, %s, %w", raw, err)
	}
	if a.OK {
		return strconv.Itoa(a.Result.MessageID), nil
	}
	return "", a.err()
}

// sentID reads the message ID of a success without the decoder: the Bot
// API answers {"ok":true,"result":{"message_id":N,…}}, and decoding the
// whole message (with its chat and sender) for N was a sixth of the
// sender's CPU. Any other shape goes to the decoder.
func sentID(raw []byte) (string, bool) {
	const prefix = `{"ok":true,"result":{"message_id":`
	rest, ok := bytes.CutPrefix(raw, []byte(prefix))
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if !ok || n == 0 || n > 18 || n == len(rest) || rest[n] != ',' && rest[n] != '}' {
		return "", false
	}
	return string(rest[:n]), true
}

// fieldOverhead is a form field's bytes besides its boundary and value.
const fieldOverhead = len("--\r\nContent-Disposition: form-data; name=\"reply_markup\"\r\n\r\n\r\n")

// field appends one form field.
func (c *textClient) field(b []byte, name, value string) []byte {
	b = append(b, "--"...)
	b = append(b, c.boundary...)
	b = append(b, "\r\nContent-Disposition: form-data; name=\""...)
	b = append(b, name...)
	b = append(b, "\"\r\n\r\n"...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// err is the SDK's error for a refusal, as its rawRequest builds it.
func (a *textAnswer) err() error {
	switch a.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, a.Description)
	case http.StatusBadRequest:
		if a.Parameters.MigrateToChatID != 0 {
			return &bot.MigrateError{Message: fmt.Sprintf("%s: %s", bot.ErrorBadRequest, a.Description),
				MigrateToChatID: a.Parameters.MigrateToChatID}
		}
		return fmt.Errorf("%w, %s", bot.ErrorBadRequest, a.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", bot.ErrorUnauthorized, a.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", bot.ErrorNotFound, a.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", bot.ErrorConflict, a.Description)
	case http.StatusTooManyRequests:
		return &bot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, a.Description),
			RetryAfter: a.Parameters.RetryAfter}
	}
	return fmt.Errorf("error response from telegram for method sendMessage, %d %s", a.ErrorCode, a.Description)
}
