package platformtest

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// LINE's limits on one send request.
const (
	lineMaxMulticast = 500
	lineMaxBody      = 2 << 20 // 2 MB, answered 413 beyond
)

type linePushRequest struct {
	To       string        `json:"to"`
	Messages []lineMessage `json:"messages"`
}

type lineMulticastRequest struct {
	To       []string      `json:"to"`
	Messages []lineMessage `json:"messages"`
}

type lineBroadcastRequest struct {
	Messages []lineMessage `json:"messages"`
}

// lineSendRequest is what every send endpoint shares once decoded.
type lineSendRequest struct {
	method  string
	to      []string // nil for broadcast and narrowcast
	content string   // the messages, compact JSON
	count   int      // number of message objects
}

func (l *LINE) push(w http.ResponseWriter, r *http.Request, c lineCall) {
	var to string
	var msgs []lineMessage
	body, ok := l.decode(w, r, c, nil, &to, &msgs)
	if !ok {
		return
	}
	var details []lineDetail
	if to == "" {
		details = append(details, lineDetail{Message: "must be specified", Property: "to"})
	}
	l.send(w, r, c, lineSendRequest{method: "push", to: []string{to}}, body, msgs, details)
}

func (l *LINE) multicast(w http.ResponseWriter, r *http.Request, c lineCall) {
	to := []string{}
	var msgs []lineMessage
	body, ok := l.decode(w, r, c, &to, nil, &msgs)
	if !ok {
		return
	}
	var details []lineDetail
	if n := len(to); n < 1 || n > lineMaxMulticast {
		details = append(details, lineDetail{Message: "Size must be between 1 and 500", Property: "to"})
	}
	l.send(w, r, c, lineSendRequest{method: "multicast", to: to}, body, msgs, details)
}

func (l *LINE) broadcast(w http.ResponseWriter, r *http.Request, c lineCall) {
	var msgs []lineMessage
	if body, ok := l.decode(w, r, c, nil, nil, &msgs); ok {
		l.send(w, r, c, lineSendRequest{method: "broadcast"}, body, msgs, nil)
	}
}

func (l *LINE) narrowcast(w http.ResponseWriter, r *http.Request, c lineCall) {
	var msgs []lineMessage // the audience filters are LINE's business
	if body, ok := l.decode(w, r, c, nil, nil, &msgs); ok {
		l.send(w, r, c, lineSendRequest{method: "narrowcast"}, body, msgs, nil)
	}
}

// decode reads a send body into to (multicast), single (push) and msgs,
// and returns it, answering 400/413 itself when it cannot.
func (l *LINE) decode(w http.ResponseWriter, r *http.Request, c lineCall, to *[]string, single *string, msgs *[]lineMessage) ([]byte, bool) {
	if ct := r.Header.Get("Content-Type"); !isJSONContentType(ct) {
		l.reject(c, r, http.StatusUnsupportedMediaType, "content type "+ct)
		l.fail(w, c.requestID, http.StatusUnsupportedMediaType, "The content type, '"+ct+"', is not supported")
		return nil, false
	}
	body, err := readBody(w, r, lineMaxBody)
	if err != nil {
		l.reject(c, r, http.StatusRequestEntityTooLarge, "body too large")
		l.fail(w, c.requestID, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return nil, false
	}
	if err := decodeLINESend(body, to, single, msgs); err != nil {
		l.reject(c, r, http.StatusBadRequest, "bad JSON")
		l.fail(w, c.requestID, http.StatusBadRequest, "The request body could not be parsed as JSON")
		return nil, false
	}
	return body, true
}

// send validates, applies the retry key, blocked users and quota, then
// records the deliveries and answers the way each endpoint does.
func (l *LINE) send(w http.ResponseWriter, r *http.Request, c lineCall, req lineSendRequest, body []byte, messages []lineMessage, details []lineDetail) {
	rawKey := r.Header.Get("X-Line-Retry-Key") // the SDK always sends it, empty when unused
	uuid, validKey := parseUUID(rawKey)
	if rawKey != "" && !validKey {
		l.reject(c, r, http.StatusBadRequest, "invalid retry key")
		l.fail(w, c.requestID, http.StatusBadRequest, "The value for the 'X-Line-Retry-Key' header is invalid")
		return
	}
	if details = append(details, validateLINEMessages(messages)...); len(details) > 0 {
		l.reject(c, r, http.StatusBadRequest, details[0].Property+": "+details[0].Message)
		l.failDetails(w, c.requestID, details)
		return
	}
	req.count = len(messages)
	req.content = compactField(body, "messages")
	if req.method == "push" && l.Faults.Blocked(req.to[0]) {
		// Real LINE answers this for user IDs it does not know; Faults.Block
		// stands for those (see Skipped for multicast).
		l.reject(c, r, http.StatusBadRequest, "unknown recipient "+req.to[0])
		l.fail(w, c.requestID, http.StatusBadRequest, "Failed to send messages")
		return
	}
	var key *retryKey
	if rawKey != "" {
		key = &retryKey{token: c.token, uuid: uuid}
	}
	if key != nil && !l.claimRetryKey(w, c, *key) {
		l.reject(c, r, http.StatusConflict, "retry key already accepted")
		return
	}
	sent, lost, ok := l.deliver(c, req)
	if !ok {
		l.releaseRetryKey(key)
		l.reject(c, r, http.StatusTooManyRequests, "monthly quota reached")
		l.fail(w, c.requestID, http.StatusTooManyRequests, "You have reached your monthly limit.")
		return
	}
	if key != nil {
		l.finishRetryKey(c, *key, sent)
	}
	if lost {
		l.reject(c, r, http.StatusInternalServerError, "answer lost after delivery")
		l.fail(w, c.requestID, http.StatusInternalServerError, "Internal server error")
		return
	}
	h := w.Header()
	h["X-Line-Request-Id"] = []string{c.requestID}
	h["Content-Type"] = []string{"application/json"}
	switch req.method {
	case "push":
		_, _ = w.Write(appendSentMessages(make([]byte, 0, 64+48*len(sent)), sent))
	case "narrowcast":
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "{}")
	default:
		_, _ = io.WriteString(w, "{}")
	}
}

// appendSentMessages renders push's answer by hand (IDs and tokens are
// digits and letters, nothing to escape): it is the load test's hot path.
func appendSentMessages(b []byte, sent []lineSent) []byte {
	b = append(b, `{"sentMessages":[`...)
	for i, m := range sent {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, m.ID...)
		b = append(b, `","quoteToken":"`...)
		b = append(b, m.QuoteToken...)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// isJSONContentType accepts application/json with any parameters.
func isJSONContentType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// deliver records one delivery per reachable recipient and counts them
// against the quota; ok is false when the quota would be exceeded, lost
// says the answer is to be lost (LoseAnswer).
func (l *LINE) deliver(c lineCall, req lineSendRequest) (sent []lineSent, lost, ok bool) {
	now := l.rec.Now()
	reqID := l.rec.NewRequestID()
	if req.method == "push" {
		sent = make([]lineSent, req.count)
		for i := range sent {
			id := strconv.FormatInt(l.nextID.Add(1), 10)
			sent[i] = lineSent{ID: id, QuoteToken: "q" + id}
		}
	}
	recipients := req.to
	if recipients == nil { // broadcast, narrowcast: the audience is LINE's
		recipients = []string{req.method}
	}
	ds := make([]Delivery, 0, len(recipients))
	var skipped []Delivery
	for _, to := range recipients {
		d := Delivery{Platform: "line", Token: c.token, Recipient: to, Method: req.method,
			Content: req.content, RequestID: reqID, At: now}
		if len(sent) > 0 {
			d.MessageID = sent[0].ID
		}
		if req.method == "multicast" && l.Faults.Blocked(to) { // push checked before
			skipped = append(skipped, d)
			continue
		}
		ds = append(ds, d)
	}
	l.mu.Lock()
	counted := int64(len(req.to) - len(skipped)) // broadcasts count followers LINE knows, not us
	if l.quota > 0 && l.usage+counted > l.quota {
		l.mu.Unlock()
		return nil, false, false
	}
	l.usage += counted
	l.accepted++
	if lost = l.lose[l.accepted]; lost {
		delete(l.lose, l.accepted)
	}
	l.skipped = append(l.skipped, skipped...)
	if req.method == "narrowcast" {
		l.casts[c.requestID] = now
	}
	l.mu.Unlock()
	l.rec.Record(ds...)
	return sent, lost, true
}

// claimRetryKey reserves key for this request, or answers 409 with the
// request that holds it and returns false.
func (l *LINE) claimRetryKey(w http.ResponseWriter, c lineCall, k retryKey) bool {
	l.mu.Lock()
	prev, taken := l.retries[k]
	if !taken {
		l.retries[k] = retryEntry{requestID: c.requestID}
	}
	l.mu.Unlock()
	if !taken {
		return true
	}
	w.Header().Set("X-Line-Accepted-Request-Id", prev.requestID)
	l.answer(w, c.requestID, http.StatusConflict, lineError{
		Message: "The retry key is already accepted", SentMessages: prev.sent})
	return false
}

func (l *LINE) finishRetryKey(c lineCall, key retryKey, sent []lineSent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retries[key] = retryEntry{requestID: c.requestID, sent: sent}
}

// releaseRetryKey frees a key whose request was refused: only accepted
// requests consume their key.
func (l *LINE) releaseRetryKey(key *retryKey) {
	if key == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.retries, *key)
}

func (l *LINE) narrowcastProgress(w http.ResponseWriter, r *http.Request, c lineCall) {
	l.mu.Lock()
	at, ok := l.casts[r.URL.Query().Get("requestId")]
	l.mu.Unlock()
	if !ok {
		l.fail(w, c.requestID, http.StatusNotFound, lineNotFound)
		return
	}
	t := at.UTC().Truncate(time.Second)
	l.answer(w, c.requestID, http.StatusOK, map[string]any{
		"phase": "succeeded", "successCount": 0, "failureCount": 0, "targetCount": 0,
		"acceptedTime": t, "completedTime": t,
	})
}

// parseUUID reads a hexadecimal UUID (8-4-4-4-12, either case).
func parseUUID(s string) (id [16]byte, ok bool) {
	if len(s) != 36 {
		return id, false
	}
	j := 0
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return id, false
			}
			continue
		}
		v, ok := hexValue(s[i])
		if !ok {
			return id, false
		}
		id[j/2] |= v << (4 * (1 - j%2))
		j++
	}
	return id, true
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
