package platformtest

import (
	"net/http"
	"strconv"
)

// profile answers GET /v2/bot/profile/{userId} and, with the same shape,
// /v2/bot/group/{groupId}/member/{userId}. Users who blocked the bot are
// not found, as on LINE.
func (l *LINE) profile(w http.ResponseWriter, r *http.Request, c lineCall) {
	id := r.PathValue("userId")
	if id == "" || l.Faults.Blocked(id) {
		l.fail(w, c.requestID, http.StatusNotFound, lineNotFound)
		return
	}
	l.mu.Lock()
	p, ok := l.users[id]
	l.mu.Unlock()
	if !ok {
		p = lineProfile{DisplayName: "LINE user " + id, UserID: id, Language: "en"}
	}
	if r.PathValue("groupId") != "" { // group member profiles carry no language or status
		p.Language, p.StatusMessage = "", ""
	}
	l.answer(w, c.requestID, http.StatusOK, p)
}

func (l *LINE) botInfo(w http.ResponseWriter, r *http.Request, c lineCall) {
	l.answer(w, c.requestID, http.StatusOK, l.bot)
}

func (l *LINE) quotaLimit(w http.ResponseWriter, r *http.Request, c lineCall) {
	l.mu.Lock()
	q := l.quota
	l.mu.Unlock()
	v := struct {
		Type  string `json:"type"`
		Value int64  `json:"value,omitempty"`
	}{Type: "none"}
	if q > 0 {
		v.Type, v.Value = "limited", q
	}
	l.answer(w, c.requestID, http.StatusOK, v)
}

func (l *LINE) quotaConsumption(w http.ResponseWriter, r *http.Request, c lineCall) {
	l.mu.Lock()
	n := l.usage
	l.mu.Unlock()
	l.answer(w, c.requestID, http.StatusOK, struct {
		TotalUsage int64 `json:"totalUsage"`
	}{n})
}

// messageContent serves what a user sent (the data API host's route).
func (l *LINE) messageContent(w http.ResponseWriter, r *http.Request, c lineCall) {
	l.mu.Lock()
	ct, ok := l.content[r.PathValue("messageId")]
	l.mu.Unlock()
	if !ok {
		l.fail(w, c.requestID, http.StatusNotFound, lineNotFound)
		return
	}
	w.Header().Set("X-Line-Request-Id", c.requestID)
	w.Header().Set("Content-Type", ct.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(ct.data)))
	_, _ = w.Write(ct.data)
}
