package platformtest

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LINE is a fake of the LINE Messaging API (api.line.me and the data host
// api-data.line.me, served together): push, multicast, broadcast and
// narrowcast sends with X-Line-Retry-Key, profiles, followers, bot info, quota and
// message content. Mount it at the root of its own server or under
// http.StripPrefix; point the SDK's WithEndpoint and WithBlobEndpoint at it.
type LINE struct {
	// Faults switches on rate limits (per channel token), blocked users,
	// 5xx answers and latency.
	Faults *Faults

	rec                           *Recorder
	mux                           *http.ServeMux
	pushHandler, multicastHandler http.HandlerFunc

	nextID  atomic.Int64 // message and request numbering
	mu      sync.Mutex
	tokens  map[string]bool
	retries map[retryKey]retryEntry
	skipped []Delivery
	usage   int64 // messages counted against the quota this month
	quota   int64 // 0: no limit ("none")
	bot     lineBotInfo
	users   map[string]lineProfile
	content map[string]lineContent
	casts   map[string]time.Time // narrowcast request ID → when accepted
	// followers answers GET /v2/bot/followers/ids (line_followers.go).
	followers lineFollowers
	// accepted counts the send requests delivered; lose holds the values of
	// accepted whose answers are lost (see LoseAnswer).
	accepted int64
	lose     map[int64]bool
}

// retryKey is an X-Line-Retry-Key, which LINE scopes to a channel.
type retryKey struct {
	token string
	uuid  [16]byte
}

type retryEntry struct {
	requestID string
	sent      []lineSent // push only: what the first request answered; nil while in flight
}

type lineBotInfo struct {
	UserID         string `json:"userId"`
	BasicID        string `json:"basicId"`
	DisplayName    string `json:"displayName"`
	PictureURL     string `json:"pictureUrl,omitempty"`
	ChatMode       string `json:"chatMode"`
	MarkAsReadMode string `json:"markAsReadMode"`
}

type lineProfile struct {
	DisplayName   string `json:"displayName"`
	UserID        string `json:"userId"`
	PictureURL    string `json:"pictureUrl,omitempty"`
	StatusMessage string `json:"statusMessage,omitempty"`
	Language      string `json:"language,omitempty"`
}

type lineContent struct {
	contentType string
	data        []byte
}

// The error messages real LINE answers with.
const (
	lineAuthFailed  = "Authentication failed. Confirm that the access token in the authorization header is valid."
	lineRateLimited = "The API rate limit has been exceeded. Try again later."
	lineNotFound    = "Not found"
)

// NewLINE returns a LINE fake recording into rec. Until AllowTokens is
// called any non-empty channel access token is accepted.
func NewLINE(rec *Recorder) *LINE {
	l := &LINE{
		Faults:  NewFaults(rec.Now),
		rec:     rec,
		tokens:  map[string]bool{},
		retries: map[retryKey]retryEntry{},
		bot: lineBotInfo{UserID: "Ufakebot0000000000000000000000000", BasicID: "@herald",
			DisplayName: "Herald", ChatMode: "bot", MarkAsReadMode: "auto"},
		users:   map[string]lineProfile{},
		content: map[string]lineContent{},
		casts:   map[string]time.Time{},
		lose:    map[int64]bool{},
	}
	l.nextID.Store(500000000000000000) // LINE message IDs are 18-digit numbers
	m := http.NewServeMux()
	l.pushHandler, l.multicastHandler = l.api(l.push), l.api(l.multicast)
	m.HandleFunc("POST /v2/bot/message/push", l.pushHandler)
	m.HandleFunc("POST /v2/bot/message/multicast", l.multicastHandler)
	m.HandleFunc("POST /v2/bot/message/broadcast", l.api(l.broadcast))
	m.HandleFunc("POST /v2/bot/message/narrowcast", l.api(l.narrowcast))
	m.HandleFunc("GET /v2/bot/message/progress/narrowcast", l.api(l.narrowcastProgress))
	m.HandleFunc("GET /v2/bot/profile/{userId}", l.api(l.profile))
	m.HandleFunc("GET /v2/bot/group/{groupId}/member/{userId}", l.api(l.profile))
	m.HandleFunc("GET /v2/bot/followers/ids", l.api(l.followerIDs))
	m.HandleFunc("GET /v2/bot/info", l.api(l.botInfo))
	m.HandleFunc("GET /v2/bot/message/quota", l.api(l.quotaLimit))
	m.HandleFunc("GET /v2/bot/message/quota/consumption", l.api(l.quotaConsumption))
	m.HandleFunc("GET /v2/bot/message/{messageId}/content", l.api(l.messageContent))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		l.fail(w, l.newRequestID(), http.StatusNotFound, lineNotFound)
	})
	l.mux = m
	return l
}

// AllowTokens restricts the accepted channel access tokens to these (and
// any allowed before); others get LINE's 401.
func (l *LINE) AllowTokens(tokens ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range tokens {
		l.tokens[t] = true
	}
}

// SetProfile registers what GET /v2/bot/profile answers for userID. Users
// not registered get a generated profile; blocked ones get 404.
func (l *LINE) SetProfile(userID, displayName, language string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.users[userID] = lineProfile{DisplayName: displayName, UserID: userID, Language: language}
}

// AddContent stores what the content download returns for messageID (an
// image or file a user sent in).
func (l *LINE) AddContent(messageID, contentType string, data []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.content[messageID] = lineContent{contentType: contentType, data: data}
}

// SetQuota caps the messages of the month (0: no limit); sends beyond it
// are answered 429 like real LINE.
func (l *LINE) SetQuota(limit int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.quota = limit
}

// Skipped returns what was accepted but not delivered: recipients of a
// multicast who blocked the bot, which real LINE drops without telling.
func (l *LINE) Skipped() []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Delivery(nil), l.skipped...)
}

// LoseAnswer makes the answer to the nth send request from now that LINE
// accepts (1: the next) get lost on its way back: the messages are
// delivered and the retry key is used, but the client sees a 500, as when
// a proxy or the network fails after LINE took the request. A retry with
// the same X-Line-Retry-Key is then answered 409, not delivered again.
func (l *LINE) LoseAnswer(nth int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lose[l.accepted+int64(nth)] = true
}

// Reset forgets retry keys, usage, skipped recipients and faults; tokens,
// profiles and content stay.
func (l *LINE) Reset() {
	l.mu.Lock()
	l.lose = map[int64]bool{}
	l.retries = map[retryKey]retryEntry{}
	l.skipped, l.usage = nil, 0
	l.casts = map[string]time.Time{}
	l.mu.Unlock()
	l.Faults.Reset()
}

// ServeHTTP serves the Messaging API and its data host.
func (l *LINE) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost { // the load test's endpoints skip the pattern matching
		switch r.URL.Path {
		case "/v2/bot/message/push":
			l.pushHandler(w, r)
			return
		case "/v2/bot/message/multicast":
			l.multicastHandler(w, r)
			return
		}
	}
	l.mux.ServeHTTP(w, r)
}

// lineCall is one authenticated request as the handlers see it.
type lineCall struct {
	token     string
	requestID string
}

// api wraps a handler with what every LINE endpoint does first: a request
// ID on the answer, the Bearer token check, then the faults.
func (l *LINE) api(h func(http.ResponseWriter, *http.Request, lineCall)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := lineCall{requestID: l.newRequestID()}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" || !l.tokenAllowed(token) {
			l.reject(c, r, http.StatusUnauthorized, "invalid channel access token")
			l.fail(w, c.requestID, http.StatusUnauthorized, lineAuthFailed)
			return
		}
		c.token = token
		switch v := l.Faults.Check(token); {
		case v.Status == http.StatusTooManyRequests:
			l.reject(c, r, v.Status, "rate limited")
			l.fail(w, c.requestID, v.Status, lineRateLimited)
			return
		case v.Status != 0:
			l.reject(c, r, v.Status, "injected failure")
			l.fail(w, c.requestID, v.Status, "Internal server error")
			return
		}
		h(w, r, c)
	}
}

func (l *LINE) tokenAllowed(token string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tokens) == 0 {
		return true
	}
	for t := range l.tokens { // constant time: never leak a token's prefix
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			return true
		}
	}
	return false
}

// newRequestID makes an X-Line-Request-Id (a UUID on the real platform).
// Formatted by hand: it is on every request's path.
func (l *LINE) newRequestID() string {
	return uuidFrom(uint64(l.nextID.Add(1)))
}

// uuidFrom renders n as a version-4-shaped UUID, distinct for distinct n.
func uuidFrom(n uint64) string {
	const hexdigits = "0123456789abcdef"
	var b [36]byte
	v := n ^ 0x9e3779b97f4a7c15 // spread the bits so IDs do not look sequential
	for i := 35; i >= 0; i-- {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
			continue
		case 14:
			b[i] = '4'
			continue
		}
		if i > 18 {
			b[i] = hexdigits[n&0xf]
			n >>= 4
		} else {
			b[i] = hexdigits[v&0xf]
			v >>= 4
		}
	}
	return string(b[:])
}

func (l *LINE) reject(c lineCall, r *http.Request, status int, reason string) {
	l.rec.Reject(Rejection{Platform: "line", Token: c.token, Method: lineMethod(r.URL.Path),
		Status: status, Reason: reason})
}

// lineMethod names an endpoint by its last path segments ("push", "profile").
func lineMethod(p string) string {
	p = strings.TrimPrefix(p, "/v2/bot/")
	p = strings.TrimPrefix(p, "message/")
	if strings.HasSuffix(p, "/content") {
		return "content"
	}
	if i := strings.IndexByte(p, '/'); i >= 0 && !strings.HasPrefix(p, "quota") && !strings.HasPrefix(p, "progress") {
		return p[:i]
	}
	return p
}

// lineDetail is one entry of an error answer's details.
type lineDetail struct {
	Message  string `json:"message"`
	Property string `json:"property,omitempty"`
}

type lineError struct {
	Message      string       `json:"message"`
	Details      []lineDetail `json:"details,omitempty"`
	SentMessages []lineSent   `json:"sentMessages,omitempty"`
}

type lineSent struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken,omitempty"`
}

func (l *LINE) fail(w http.ResponseWriter, requestID string, status int, message string) {
	l.answer(w, requestID, status, lineError{Message: message})
}

// failDetails answers 400 the way LINE reports invalid request bodies.
func (l *LINE) failDetails(w http.ResponseWriter, requestID string, details []lineDetail) {
	l.answer(w, requestID, http.StatusBadRequest, lineError{
		Message: "The request body has " + strconv.Itoa(len(details)) + " error(s)", Details: details})
}

func (l *LINE) answer(w http.ResponseWriter, requestID string, status int, v any) {
	w.Header()["X-Line-Request-Id"] = []string{requestID}
	writeJSONStatus(w, status, v)
}
