package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
)

// reply sends a short text answer (a keyword's confirmation) inside the
// window the person's own message just opened. Best effort. The page token
// travels in the body, never the URL, so no log or proxy ever sees it.
func (h *Handler) reply(ctx context.Context, psid, text string) {
	msg := map[string]any{
		"recipient":      map[string]string{"id": psid},
		"messaging_type": "RESPONSE",
		"message":        map[string]string{"text": text},
		"access_token":   h.opts.PageToken,
	}
	if h.opts.AppSecret != "" {
		mac := hmac.New(sha256.New, []byte(h.opts.AppSecret))
		mac.Write([]byte(h.opts.PageToken))
		msg["appsecret_proof"] = hex.EncodeToString(mac.Sum(nil))
	}
	body, _ := json.Marshal(msg)
	u := h.opts.APIURL + "/" + h.opts.APIVersion + "/me/messages"
	if h.opts.APIVersion == "" {
		u = h.opts.APIURL + "/me/messages"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		h.log.Warn("messenger: confirmation not sent: bad API URL")
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.opts.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		h.log.Warn("messenger: confirmation not sent", "error", err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		h.log.Warn("messenger: confirmation refused", "status", resp.StatusCode, "answer", string(msg))
	}
}
