package platformtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// tgBot is the per-token state: the update queue and the webhook.
type tgBot struct {
	queue      []tgUpdate // unconfirmed updates, oldest first
	nextUpdate int64
	wake       chan struct{} // closed when an update arrives
	kick       chan struct{} // closed when a newer getUpdates starts
	pollGen    int
	webhook    tgWebhook
	commands   map[string][]TelegramCommand // by scope key + language
	dropped    bool                         // forgotten by Reset
	flushing   bool                         // a PushUpdate is posting to the webhook
}

type tgUpdate struct {
	id  int64
	raw json.RawMessage
}

type tgWebhook struct {
	URL           string
	Secret        string
	LastErrorDate int64
	LastError     string
}

// bot returns token's state; t.mu must be held.
func (t *Telegram) bot(token string) *tgBot {
	b := t.bots[token]
	if b == nil {
		b = &tgBot{nextUpdate: 1, wake: make(chan struct{}), kick: make(chan struct{}), commands: map[string][]TelegramCommand{}}
		t.bots[token] = b
	}
	return b
}

// PushUpdate queues an update (any value that marshals to a Bot API Update
// object) for the bot with token, assigning update_id when it has none, and
// returns the update_id. With a webhook set it is posted there at once and
// stays queued only if the webhook fails. Callback query IDs in the update
// become answerable.
func (t *Telegram) PushUpdate(token string, update any) (int64, error) {
	raw, err := json.Marshal(update)
	if err != nil {
		return 0, fmt.Errorf("platformtest: push update: %w", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return 0, fmt.Errorf("platformtest: push update: an Update must be a JSON object, got %.40s", raw)
	}
	t.mu.Lock()
	b := t.bot(token)
	var id int64
	if rawID, ok := obj["update_id"]; ok && json.Unmarshal(rawID, &id) == nil && id > 0 {
		b.nextUpdate = max(b.nextUpdate, id+1)
	} else {
		id = b.nextUpdate
		b.nextUpdate++
		obj["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
		raw, _ = json.Marshal(obj)
	}
	if cq, ok := obj["callback_query"]; ok {
		var q struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(cq, &q) == nil && q.ID != "" {
			t.callbacks[q.ID] = true
		}
	}
	b.queue = append(b.queue, tgUpdate{id: id, raw: raw})
	close(b.wake)
	b.wake = make(chan struct{})
	hook := b.webhook
	t.mu.Unlock()
	if hook.URL != "" {
		t.flushWebhook(token, hook)
	}
	return id, nil
}

// Pending is the number of updates queued and not yet confirmed for token.
func (t *Telegram) Pending(token string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.bot(token).queue)
}

// confirm forgets the updates an offset confirms: below offset, or all but
// the last -offset ones when negative. t.mu must be held.
func (b *tgBot) confirm(offset int64) {
	switch {
	case offset > 0:
		i := 0
		for i < len(b.queue) && b.queue[i].id < offset {
			i++
		}
		b.queue = b.queue[i:]
	case offset < 0 && int64(len(b.queue)) > -offset:
		b.queue = b.queue[int64(len(b.queue))+offset:]
	}
}

func intParam(c tgCall, name string, def int64) (int64, *tgError) {
	s := c.p.get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, tgBad("field \"" + name + "\" must be an Integer")
	}
	return n, nil
}

func (t *Telegram) getUpdates(c tgCall) (any, *tgError) {
	offset, e := intParam(c, "offset", 0)
	if e != nil {
		return nil, e
	}
	limit, e := intParam(c, "limit", 100)
	if e != nil {
		return nil, e
	}
	limit = min(max(limit, 1), 100)
	timeout, e := intParam(c, "timeout", 0)
	if e != nil {
		return nil, e
	}
	var timer <-chan time.Time
	if timeout > 0 {
		tm := time.NewTimer(time.Duration(timeout) * time.Second)
		defer tm.Stop()
		timer = tm.C
	}
	ctx := c.r.Context()

	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bot(c.token)
	if b.webhook.URL != "" {
		return nil, &tgError{status: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	// A newer poll terminates the one in progress, as on the real platform.
	b.pollGen++
	gen := b.pollGen
	close(b.kick)
	b.kick = make(chan struct{})
	b.confirm(offset)
	for {
		if len(b.queue) > 0 || timer == nil {
			out := make([]json.RawMessage, 0, min(int64(len(b.queue)), limit))
			for _, u := range b.queue {
				if int64(len(out)) == limit {
					break
				}
				out = append(out, u.raw)
			}
			return out, nil
		}
		wake, kick := b.wake, b.kick
		t.mu.Unlock()
		select {
		case <-wake:
		case <-kick:
		case <-timer:
			timer = nil
		case <-ctx.Done():
			t.mu.Lock() // the client is gone: nothing to answer or record
			return []json.RawMessage{}, nil
		case <-t.closed:
			timer = nil
		}
		t.mu.Lock()
		if b.dropped {
			return []json.RawMessage{}, nil
		}
		if b.pollGen != gen {
			return nil, &tgError{status: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
	}
}

func (t *Telegram) setWebhook(c tgCall) (any, *tgError) {
	raw := c.p.get("url")
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			// The real API insists on HTTPS; the fake also takes http so
			// tests can use a plain httptest server.
			return nil, tgBad("bad webhook: An HTTPS URL must be provided for webhook")
		}
	}
	t.mu.Lock()
	b := t.bot(c.token)
	if c.p.get("drop_pending_updates") == "true" {
		b.queue = nil
	}
	was := b.webhook.URL
	b.webhook = tgWebhook{URL: raw, Secret: c.p.get("secret_token")}
	t.mu.Unlock()
	switch {
	case raw == "" && was == "":
		return tgDescribed{true, "Webhook is already deleted"}, nil
	case raw == "":
		return tgDescribed{true, "Webhook was deleted"}, nil
	case raw == was:
		return tgDescribed{true, "Webhook is already set"}, nil
	}
	return tgDescribed{true, "Webhook was set"}, nil
}

func (t *Telegram) deleteWebhook(c tgCall) (any, *tgError) {
	c.p.vals["url"] = ""
	return t.setWebhook(c)
}

func (t *Telegram) getWebhookInfo(c tgCall) (any, *tgError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bot(c.token)
	return struct {
		URL                  string `json:"url"`
		HasCustomCertificate bool   `json:"has_custom_certificate"`
		PendingUpdateCount   int    `json:"pending_update_count"`
		LastErrorDate        int64  `json:"last_error_date,omitempty"`
		LastErrorMessage     string `json:"last_error_message,omitempty"`
		MaxConnections       int    `json:"max_connections,omitempty"`
	}{b.webhook.URL, false, len(b.queue), b.webhook.LastErrorDate, b.webhook.LastError, 40}, nil
}

// flushWebhook posts the queued updates to the bot's webhook in order, one
// at a time like Telegram, stopping at the first failure (the real platform
// retries later; here the next push retries).
func (t *Telegram) flushWebhook(token string, hook tgWebhook) {
	client := t.WebhookClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	t.mu.Lock()
	b := t.bot(token)
	if b.flushing { // the running flush posts this update too
		t.mu.Unlock()
		return
	}
	b.flushing = true
	defer func() { b.flushing = false; t.mu.Unlock() }()
	for len(b.queue) > 0 && b.webhook.URL == hook.URL {
		u := b.queue[0]
		t.mu.Unlock()
		errMsg := postUpdate(client, hook, u.raw)
		t.mu.Lock()
		if errMsg != "" {
			b.webhook.LastError, b.webhook.LastErrorDate = errMsg, t.rec.Now().Unix()
			return
		}
		if len(b.queue) > 0 && b.queue[0].id == u.id {
			b.queue = b.queue[1:]
		}
	}
}

// postUpdate delivers one update; it returns the error as getWebhookInfo
// reports it, or "".
func postUpdate(client *http.Client, hook tgWebhook, raw []byte) string {
	req, err := http.NewRequest(http.MethodPost, hook.URL, bytes.NewReader(raw))
	if err != nil {
		return "Wrong webhook URL"
	}
	req.Header.Set("Content-Type", "application/json")
	if hook.Secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hook.Secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "Connection refused"
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "Wrong response from the webhook: " + resp.Status
	}
	return ""
}
