package platformtest

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Identity of the fake workspace and of the bot every bot token belongs to.
const (
	slackTeamID   = "T0FAKE001"
	slackTeamName = "Herald Test"
	slackBotUser  = "U0FAKEBOT"
	slackBotID    = "B0FAKEBOT"
	slackAppID    = "A0FAKEAPP"
)

// Slack is a fake of the Slack Web API (/api/<method>), file upload and
// download, and Socket Mode (apps.connections.open and the websocket it
// points at). Bot tokens (xoxb-) and app-level tokens (xapp-) are checked
// like Slack does. Each post (chat.postMessage, chat.postEphemeral, a file
// shared by files.completeUploadExternal) is a Delivery to its channel whose
// Content is the text, then " [blocks:<compact JSON>]" when it has blocks,
// with "[file:<id>] " in front for files. chat.update is not a delivery:
// see Messages and Updates. Users' presses and picks in posted messages
// are pushed as block_actions (PushButton, PushDate, PushTime,
// PushOptions); user groups (AddUserGroup) answer usergroups.users.list.
type Slack struct {
	// Faults apply to every Web API call, upload and download.
	Faults *Faults
	// PingInterval is how often the fake pings Socket Mode clients, which
	// reconnect when pings stop (slack-go after 30 s). Default 5 s.
	PingInterval time.Duration

	rec *Recorder

	mu        sync.Mutex
	botTokens map[string]bool // nil: any xoxb-/xoxp- token
	appTokens map[string]bool // nil: any xapp- token
	channels  map[string]*SlackChannel
	users     map[string]*SlackUser
	messages  map[string][]*SlackMessage // by channel
	lastTS    int64
	nextID    int
	files     map[string]*SlackFile
	views     []*SlackView
	triggers  map[string]bool // trigger_id → still usable
	// usergroups are the workspace's user groups; freePlan has none.
	usergroups map[string]*SlackUserGroup
	freePlan   bool
	calls      map[string]int // successful Web API calls by method
	// picks are what users chose in messages' date pickers, time pickers
	// and menus, not yet submitted (see PushDate).
	picks map[slackPickKey]slackPicks

	socket slackSocketState
}

// NewSlack returns a Slack fake recording into rec.
func NewSlack(rec *Recorder) *Slack {
	if rec == nil {
		rec = NewRecorder(nil)
	}
	s := &Slack{
		Faults:     NewFaults(rec.Now),
		rec:        rec,
		channels:   map[string]*SlackChannel{},
		users:      map[string]*SlackUser{},
		messages:   map[string][]*SlackMessage{},
		files:      map[string]*SlackFile{},
		triggers:   map[string]bool{},
		usergroups: map[string]*SlackUserGroup{},
		picks:      map[slackPickKey]slackPicks{},
		calls:      map[string]int{},
	}
	s.socket.init()
	return s
}

// Tokens restricts the bot tokens (xoxb-…) and app-level tokens (xapp-…)
// the fake accepts; by default any token of the right kind is.
func (s *Slack) Tokens(tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botTokens, s.appTokens = map[string]bool{}, map[string]bool{}
	for _, t := range tokens {
		if strings.HasPrefix(t, "xapp-") {
			s.appTokens[t] = true
		} else {
			s.botTokens[t] = true
		}
	}
}

// Reset forgets what was posted (messages, views, acks, envelopes waiting
// for a client, users' unsubmitted picks, call counts) and switches the faults off;
// users, user groups, channels, files, token restrictions and open sockets
// stay.
func (s *Slack) Reset() {
	s.mu.Lock()
	s.messages = map[string][]*SlackMessage{}
	s.views = nil
	s.triggers = map[string]bool{}
	s.picks = map[slackPickKey]slackPicks{}
	s.calls = map[string]int{}
	s.mu.Unlock()
	st := &s.socket
	st.mu.Lock()
	st.acks = map[string]json.RawMessage{}
	st.pending = nil
	st.mu.Unlock()
	s.Faults.Reset()
}

// Calls is how many calls of a Web API method ("usergroups.users.list")
// succeeded; failures are in the Recorder's rejections.
func (s *Slack) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// slackCall is one authenticated Web API call.
type slackCall struct {
	token  string
	method string
	p      params
	r      *http.Request
}

// slackResult is a method's answer: fields merged next to "ok":true.
type slackResult = map[string]any

// slackHandler answers one method with a slackResult (or, on hot paths, a
// struct that has its own "ok" field), or with the error code of an
// "ok":false answer (HTTP 200, as Slack does).
type slackHandler func(*Slack, slackCall) (any, string)

// ServeHTTP routes the Web API, uploads, downloads and the websocket.
func (s *Slack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/api/"))
	case p == "/link" || p == "/link/":
		s.serveSocket(w, r)
	case strings.HasPrefix(p, "/upload/v1/"):
		s.serveUpload(w, r, strings.TrimPrefix(p, "/upload/v1/"))
	case strings.HasPrefix(p, "/files-pri/"):
		s.serveDownload(w, r, strings.TrimPrefix(p, "/files-pri/"))
	case p == "/signin":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><title>Sign in | Slack</title><p>Sign in to your workspace.</p>"))
	default:
		http.NotFound(w, r)
	}
}

func (s *Slack) serveAPI(w http.ResponseWriter, r *http.Request, method string) {
	c := slackCall{method: method, r: r}
	p, err := readParams(w, r)
	if err != nil {
		s.fail(w, c, "invalid_form_data")
		return
	}
	c.p = p
	c.token = authBearer(r)
	if c.token == "" {
		c.token = p.get("token")
	}
	h := slackHandlerFor(method)
	if h == nil {
		s.fail(w, c, "unknown_method")
		return
	}
	if e := s.checkToken(c.token, method == "apps.connections.open"); e != "" {
		s.fail(w, c, e)
		return
	}
	if !s.fault(w, c) {
		return
	}
	out, e := h(s, c)
	if e == "" {
		s.mu.Lock()
		s.calls[method]++
		s.mu.Unlock()
	}
	switch {
	case e != "":
		s.fail(w, c, e)
	case out == nil:
		writeJSONStatus(w, http.StatusOK, slackResult{"ok": true})
	default:
		if m, ok := out.(slackResult); ok {
			m["ok"] = true
		}
		writeJSONStatus(w, http.StatusOK, out)
	}
}

// slackHandlerFor finds the handler of a Web API method.
func slackHandlerFor(method string) slackHandler {
	switch method {
	case "auth.test":
		return (*Slack).authTest
	case "chat.postMessage":
		return (*Slack).postMessage
	case "chat.update":
		return (*Slack).update
	case "chat.postEphemeral":
		return (*Slack).postEphemeral
	case "views.open":
		return (*Slack).viewsOpen
	case "views.update":
		return (*Slack).viewsUpdate
	case "conversations.info":
		return (*Slack).conversationsInfo
	case "users.info":
		return (*Slack).usersInfo
	case "usergroups.users.list":
		return (*Slack).usergroupsUsersList
	case "files.getUploadURLExternal":
		return (*Slack).getUploadURL
	case "files.completeUploadExternal":
		return (*Slack).completeUpload
	case "files.info":
		return (*Slack).filesInfo
	case "apps.connections.open":
		return (*Slack).connectionsOpen
	}
	return nil
}

// checkToken returns Slack's error code for a token that may not call the
// method, or "".
func (s *Slack) checkToken(token string, wantApp bool) string {
	if token == "" {
		return "not_authed"
	}
	isApp := strings.HasPrefix(token, "xapp-")
	isBot := strings.HasPrefix(token, "xoxb-") || strings.HasPrefix(token, "xoxp-")
	if !isApp && !isBot {
		return "invalid_auth"
	}
	if isApp != wantApp {
		return "not_allowed_token_type"
	}
	s.mu.Lock()
	allowed := s.botTokens
	if isApp {
		allowed = s.appTokens
	}
	s.mu.Unlock()
	if allowed == nil {
		return ""
	}
	ok := false
	for t := range allowed { // constant time: never leak a token's prefix
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			ok = true
		}
	}
	if !ok {
		return "invalid_auth"
	}
	return ""
}

// fault applies the Faults; false means the answer has been written.
func (s *Slack) fault(w http.ResponseWriter, c slackCall) bool {
	v := s.Faults.Check(c.token)
	switch {
	case v.Status == 0:
		return true
	case v.Status == http.StatusTooManyRequests:
		secs := int((v.RetryAfter + time.Second - 1) / time.Second)
		s.reject(c, v.Status, "ratelimited")
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSONStatus(w, v.Status, slackResult{"ok": false, "error": "ratelimited"})
	default:
		// Slack answers 5xx with an HTML page, which clients must not parse.
		s.reject(c, v.Status, http.StatusText(v.Status))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(v.Status)
		_, _ = w.Write([]byte("<html><body><h1>" + http.StatusText(v.Status) + "</h1></body></html>"))
	}
	return false
}

func (s *Slack) reject(c slackCall, status int, reason string) {
	s.rec.Reject(Rejection{Platform: "slack", Token: c.token, Method: c.method, Status: status, Reason: reason})
}

func (s *Slack) fail(w http.ResponseWriter, c slackCall, code string) {
	s.reject(c, http.StatusOK, code)
	writeJSONStatus(w, http.StatusOK, slackResult{"ok": false, "error": code})
}

// newID makes a Slack-looking ID with a prefix (F, V, …); s.mu must be held.
func (s *Slack) newID(prefix string) string {
	s.nextID++
	return prefix + "0FAKE" + strings.ToUpper(strconv.FormatInt(int64(s.nextID), 36))
}

// newTS makes a message timestamp, unique and increasing; s.mu must be held.
func (s *Slack) newTS() string {
	us := s.rec.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return strconv.FormatInt(us/1_000_000, 10) + "." + leftPad(strconv.FormatInt(us%1_000_000, 10), 6)
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func (s *Slack) authTest(c slackCall) (any, string) {
	return slackResult{"url": "https://herald-test.slack.com/", "team": slackTeamName, "user": "herald",
		"team_id": slackTeamID, "user_id": slackBotUser, "bot_id": slackBotID, "is_enterprise_install": false}, ""
}
