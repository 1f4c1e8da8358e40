package platformtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Messenger is a fake of the Messenger Platform Send API on the Graph API:
// POST /{version}/me/messages (any version, or none), and batch requests of
// up to 50 such calls to the Graph root (messenger_batch.go). It checks the
// page access token and, once SetAppSecret is called, appsecret_proof;
// validates messaging_type, tag and the message; and enforces the 24-hour
// window from the interactions the test registers with Interacted.
type Messenger struct {
	// Faults switches on rate limits (per page token), blocked people, 5xx
	// answers and latency.
	Faults *Faults

	rec    *Recorder
	nextID atomic.Int64

	mu         sync.Mutex
	tokens     map[string]bool
	appSecret  []byte
	interacted map[string]time.Time // PSID → last message from that person
	// limitOnce and unfinished single out the next batch call to a PSID
	// (LimitOnce, Unfinished).
	limitOnce, unfinished map[string]bool
}

// The Send API's windows: RESPONSE and UPDATE within a day of the person's
// last message; the HUMAN_AGENT tag within a week; other tags any time.
const (
	messengerWindow      = 24 * time.Hour
	messengerHumanWindow = 7 * 24 * time.Hour
)

// NewMessenger returns a Messenger fake recording into rec. Until
// AllowTokens is called any non-empty page access token is accepted.
func NewMessenger(rec *Recorder) *Messenger {
	return &Messenger{
		Faults:     NewFaults(rec.Now),
		rec:        rec,
		tokens:     map[string]bool{},
		interacted: map[string]time.Time{},
		limitOnce:  map[string]bool{},
		unfinished: map[string]bool{},
	}
}

// AllowTokens restricts the accepted page access tokens to these (and any
// allowed before); others get Graph's error 190.
func (m *Messenger) AllowTokens(tokens ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range tokens {
		m.tokens[t] = true
	}
}

// SetAppSecret makes appsecret_proof required, as when the app's setting
// "Require App Secret" is on. An empty secret switches it off.
func (m *Messenger) SetAppSecret(secret string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.appSecret = []byte(secret)
}

// Interacted registers that the person psid messaged the page at at: it
// opens the 24-hour window and makes the PSID known.
func (m *Messenger) Interacted(psid string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if at.After(m.interacted[psid]) {
		m.interacted[psid] = at
	}
}

// Reset forgets interactions and faults; tokens and the app secret stay.
func (m *Messenger) Reset() {
	m.mu.Lock()
	m.interacted = map[string]time.Time{}
	m.limitOnce, m.unfinished = map[string]bool{}, map[string]bool{}
	m.mu.Unlock()
	m.Faults.Reset()
}

// graphError is Graph's error envelope.
type graphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        int    `json:"code"`
	Subcode     int    `json:"error_subcode,omitempty"`
	IsTransient bool   `json:"is_transient,omitempty"`
	FBTraceID   string `json:"fbtrace_id"`
}

// The errors the fake answers with, worded as Graph words them.
var (
	errGraphNoToken     = graphError{Message: "An active access token must be used to query information about the current user.", Type: "OAuthException", Code: 2500}
	errGraphBadToken    = graphError{Message: "Invalid OAuth access token - Cannot parse access token", Type: "OAuthException", Code: 190}
	errGraphNoProof     = graphError{Message: "API calls from the server require an appsecret_proof argument", Type: "GraphMethodException", Code: 100}
	errGraphBadProof    = graphError{Message: "Invalid appsecret_proof provided in the API argument", Type: "GraphMethodException", Code: 100}
	errGraphRateLimited = graphError{Message: "(#613) Calls to this api have exceeded the rate limit.", Type: "OAuthException", Code: 613}
	errGraphUnexpected  = graphError{Message: "An unexpected error has occurred. Please retry your request later.", Type: "OAuthException", Code: 2, IsTransient: true}
	errGraphUnavailable = graphError{Message: "(#551) This person isn't available right now.", Type: "OAuthException", Code: 551, Subcode: 1545041}
	errGraphWindow      = graphError{Message: "(#10) This message is sent outside of allowed window.", Type: "OAuthException", Code: 10, Subcode: 2018278}
	errGraphNoUser      = graphError{Message: "(#100) No matching user found", Type: "OAuthException", Code: 100, Subcode: 2018001}
)

func graphParam(msg string) graphError {
	return graphError{Message: "(#100) " + msg, Type: "OAuthException", Code: 100}
}

// ServeHTTP serves /{version}/me/messages and batches at / or /{version}/.
func (m *Messenger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/")
	if v, rest, ok := strings.Cut(p, "/"); ok && isGraphVersion(v) {
		p = rest
	} else if isGraphVersion(p) {
		p = ""
	}
	if p == "" && r.Method == http.MethodPost {
		m.batch(w, r)
		return
	}
	if p != "me/messages" {
		m.fail(w, r, "", http.StatusBadRequest, graphError{Message: "Unknown path components: /" + p, Type: "OAuthException", Code: 2500})
		return
	}
	if r.Method != http.MethodPost {
		m.fail(w, r, "", http.StatusBadRequest, graphError{Message: "Unsupported " + strings.ToLower(r.Method) + " request.", Type: "GraphMethodException", Code: 100})
		return
	}
	req, err := readMessengerRequest(w, r)
	if err != nil {
		m.fail(w, r, "", http.StatusBadRequest, graphParam(err.Error()))
		return
	}
	token, ok := m.authenticate(w, r, req)
	if !ok {
		return
	}
	switch v := m.Faults.Check(token); {
	case v.Status == http.StatusTooManyRequests:
		m.fail(w, r, token, http.StatusBadRequest, errGraphRateLimited) // Graph answers rate limits with 400
		return
	case v.Status != 0:
		m.fail(w, r, token, v.Status, errGraphUnexpected)
		return
	}
	m.write(w, m.call(token, req, 0))
}

// isGraphVersion matches "v21.0".
func isGraphVersion(s string) bool {
	major, minor, ok := strings.Cut(strings.TrimPrefix(s, "v"), ".")
	_, err1 := strconv.Atoi(major)
	_, err2 := strconv.Atoi(minor)
	return ok && strings.HasPrefix(s, "v") && err1 == nil && err2 == nil
}

// authenticate finds the page token where Graph accepts it (query, body,
// Authorization header), checks it and appsecret_proof, and answers the
// error itself when they fail.
func (m *Messenger) authenticate(w http.ResponseWriter, r *http.Request, req *messengerRequest) (string, bool) {
	q := r.URL.Query()
	token := q.Get("access_token")
	if token == "" {
		token = req.AccessToken
	}
	if token == "" {
		if h := r.Header.Get("Authorization"); h != "" {
			if t, ok := strings.CutPrefix(h, "Bearer "); ok {
				token = t
			} else if t, ok := strings.CutPrefix(h, "OAuth "); ok {
				token = t
			}
		}
	}
	proof := q.Get("appsecret_proof")
	if proof == "" {
		proof = req.AppsecretProof
	}
	m.mu.Lock()
	secret := m.appSecret
	known := len(m.tokens) == 0 && token != ""
	for t := range m.tokens {
		if subtle.ConstantTimeCompare([]byte(t), []byte(token)) == 1 {
			known = true
		}
	}
	m.mu.Unlock()
	switch {
	case token == "":
		m.fail(w, r, "", http.StatusBadRequest, errGraphNoToken)
	case !known:
		m.fail(w, r, "", http.StatusBadRequest, errGraphBadToken)
	case len(secret) > 0 && proof == "":
		m.fail(w, r, token, http.StatusBadRequest, errGraphNoProof)
	case len(secret) > 0 && !validProof(secret, token, proof):
		m.fail(w, r, token, http.StatusBadRequest, errGraphBadProof)
	default:
		return token, true
	}
	return "", false
}

// validProof checks appsecret_proof = hex(HMAC-SHA256(key=app secret, token)).
func validProof(secret []byte, token, proof string) bool {
	got, err := hex.DecodeString(proof)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(token))
	return hmac.Equal(got, mac.Sum(nil))
}

// messengerRequest is a Send API body, from JSON or a form.
type messengerRequest struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType  string            `json:"messaging_type"`
	Tag            string            `json:"tag"`
	Message        *messengerMessage `json:"message"`
	SenderAction   string            `json:"sender_action"`
	AccessToken    string            `json:"access_token"`
	AppsecretProof string            `json:"appsecret_proof"`

	content string // the message as compact JSON
}

func readMessengerRequest(w http.ResponseWriter, r *http.Request) (*messengerRequest, error) {
	var req messengerRequest
	b, err := readBody(w, r, 1<<20)
	if err != nil {
		return nil, messengerBodyError("The request body is too large")
	}
	// Graph reads a form when told so, but a JSON object sent as a form
	// (curl -d) is still read as JSON.
	isForm := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	if i := skipSpace(b, 0); isForm && (i >= len(b) || b[i] != '{') {
		f, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, messengerBodyError("The request body could not be parsed")
		}
		return messengerForm(f)
	}
	if err := decodeMessengerJSON(b, &req); err != nil {
		return nil, messengerBodyError("The request body could not be parsed as JSON")
	}
	if req.Message != nil {
		req.content = compactField(b, "message")
	}
	return &req, nil
}

// messengerForm reads a Send API request from form fields (a form body,
// or a batch call's body), recipient and message being JSON values.
func messengerForm(f url.Values) (*messengerRequest, error) {
	var req messengerRequest
	if rc := f.Get("recipient"); rc != "" && json.Unmarshal([]byte(rc), &req.Recipient) != nil {
		return nil, messengerBodyError("param recipient must be a JSON object")
	}
	if msg := f.Get("message"); msg != "" {
		var buf bytes.Buffer
		if json.Unmarshal([]byte(msg), &req.Message) != nil || json.Compact(&buf, []byte(msg)) != nil {
			return nil, messengerBodyError("param message must be a JSON object")
		}
		req.content = buf.String()
	}
	req.MessagingType, req.Tag, req.SenderAction = f.Get("messaging_type"), f.Get("tag"), f.Get("sender_action")
	req.AccessToken, req.AppsecretProof = f.Get("access_token"), f.Get("appsecret_proof")
	return &req, nil
}

// messengerBodyError is an error that is just its text (Graph's own wording).
type messengerBodyError string

func (e messengerBodyError) Error() string { return string(e) }

func (m *Messenger) fail(w http.ResponseWriter, _ *http.Request, token string, status int, e graphError) {
	m.write(w, m.reject(token, status, e))
}

// messengerAnswer is one Send API call's answer: what the single endpoint
// writes as its response, and a batch as one element of its array.
type messengerAnswer struct {
	status int
	body   []byte // JSON
}

func (m *Messenger) write(w http.ResponseWriter, a messengerAnswer) {
	writeJSONBytes(w, a.status, a.body)
}

// reject records a refused call and answers Graph's error envelope.
func (m *Messenger) reject(token string, status int, e graphError) messengerAnswer {
	m.rec.Reject(Rejection{Platform: "messenger", Token: token, Method: "me/messages", Status: status,
		Reason: e.Message})
	e.FBTraceID = "F" + strconv.FormatInt(m.nextID.Add(1)*7919, 36) // opaque, unique enough to quote
	b, _ := json.Marshal(struct {
		Error graphError `json:"error"`
	}{e}) // plain strings and numbers always encode
	return messengerAnswer{status, b}
}
