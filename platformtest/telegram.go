package platformtest

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Telegram is a fake of the Telegram Bot API: /bot<token>/<method> and
// /file/bot<token>/<path>, for any number of bot tokens. Updates pushed by
// the test are served by getUpdates (long polling) or posted to the webhook
// a bot set. Each send is one Delivery in the Recorder (an album is one)
// whose Content is the text as the user sees it, then " [buttons: A|B / C]"
// for an inline keyboard; photos and documents start with
// "[photo:<file_id, URL or upload:name:size>] ", albums with "[album] ".
// Edits are not deliveries: see Sent and Message.
type Telegram struct {
	// Faults are applied to every method except getUpdates, so that a test's
	// injected failures hit the calls it aims at, not a background poll.
	Faults *Faults
	// WebhookClient posts updates to webhooks (a 10-second client when nil).
	WebhookClient *http.Client

	rec    *Recorder
	closed chan struct{}

	mu        sync.Mutex
	tokens    map[string]bool // nil: every token is accepted
	bots      map[string]*tgBot
	chats     map[int64]*TelegramChat
	gone      map[int64]bool
	migrated  map[int64]int64 // group → the supergroup it became (telegram_migrate.go)
	members   map[[2]int64]string
	logs      map[int64]*tgChatLog
	files     map[string]*tgFile
	nextFile  int
	callbacks map[string]bool // callback query IDs not yet answered
	answers   []CallbackAnswer
	closeOnce sync.Once
	markups   markupCache

	chatLimits tgChatLimits // telegram_limits.go
}

// TelegramChat describes a chat the fake knows, for getChat and message
// objects. Chats the test never added are made up from the ID's sign.
type TelegramChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"` // private, group, supergroup, channel
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
}

// CallbackAnswer is one answerCallbackQuery call.
type CallbackAnswer struct {
	Token           string
	CallbackQueryID string
	Text            string
	ShowAlert       bool
}

// NewTelegram returns a Telegram fake recording into rec.
func NewTelegram(rec *Recorder) *Telegram {
	if rec == nil {
		rec = NewRecorder(nil)
	}
	return &Telegram{
		Faults:    NewFaults(rec.Now),
		rec:       rec,
		closed:    make(chan struct{}),
		bots:      map[string]*tgBot{},
		chats:     map[int64]*TelegramChat{},
		gone:      map[int64]bool{},
		migrated:  map[int64]int64{},
		members:   map[[2]int64]string{},
		logs:      map[int64]*tgChatLog{},
		files:     map[string]*tgFile{},
		callbacks: map[string]bool{},
	}
}

// Tokens restricts the fake to these bot tokens; others get 401.
func (t *Telegram) Tokens(tokens ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tokens = map[string]bool{}
	for _, tok := range tokens {
		t.tokens[tok] = true
	}
}

// AddChat registers a chat so getChat, @username lookups and message
// objects describe it.
func (t *Telegram) AddChat(c TelegramChat) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cp := c
	t.chats[c.ID] = &cp
	delete(t.gone, c.ID)
}

// RemoveChats makes chats unknown: every call naming them then fails with
// "Bad Request: chat not found", as for a deleted account or group.
func (t *Telegram) RemoveChats(ids ...int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, id := range ids {
		t.gone[id] = true
	}
}

// SetChatMember sets what getChatMember answers for a user in a chat:
// creator, administrator, member, restricted, left or kicked. Unset pairs
// are "member".
func (t *Telegram) SetChatMember(chatID, userID int64, status string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.members[[2]int64{chatID, userID}] = status
}

// CallbackAnswers returns the answerCallbackQuery calls, in order.
func (t *Telegram) CallbackAnswers() []CallbackAnswer {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]CallbackAnswer(nil), t.answers...)
}

// Reset forgets what bots sent and were sent (messages, queued updates,
// webhooks, command menus, callback answers) and switches the faults off;
// chats, members, files and token restrictions stay.
func (t *Telegram) Reset() {
	t.mu.Lock()
	for _, b := range t.bots {
		b.dropped = true // parked polls answer with no updates
		close(b.kick)
		b.kick = make(chan struct{})
	}
	t.bots = map[string]*tgBot{}
	t.logs = map[int64]*tgChatLog{}
	t.callbacks = map[string]bool{}
	t.answers = nil
	t.mu.Unlock()
	t.Faults.Reset()
}

// Close ends pending long polls; call it before closing the server.
func (t *Telegram) Close() {
	t.closeOnce.Do(func() { close(t.closed) })
}

// tgError is a Bot API error answer.
type tgError struct {
	status     int
	desc       string
	retryAfter int
	migrateTo  int64 // the supergroup a group became
}

type tgErrorBody struct {
	OK          bool              `json:"ok"`
	ErrorCode   int               `json:"error_code"`
	Description string            `json:"description"`
	Parameters  *tgErrorParameter `json:"parameters,omitempty"`
}

// tgErrorParameter is the Bot API's ResponseParameters.
type tgErrorParameter struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

func tgBad(desc string) *tgError { return &tgError{status: 400, desc: "Bad Request: " + desc} }

var (
	errTgChatNotFound = tgBad("chat not found")
	errTgNotFound     = &tgError{status: 404, desc: "Not Found"}
)

type tgOK struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result"`
	Description string `json:"description,omitempty"`
}

// tgCall is one authenticated API call.
type tgCall struct {
	token  string
	method string // as the client spelled it
	p      params
	r      *http.Request
}

// ServeHTTP routes /bot<token>/<method> and /file/bot<token>/<path>.
func (t *Telegram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/file/bot"); ok {
		token, filePath, _ := strings.Cut(rest, "/")
		t.serveFile(w, r, token, filePath)
		return
	}
	rest, ok := strings.CutPrefix(path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || token == "" || method == "" || strings.Contains(method, "/") {
		t.fail(w, tgCall{token: token, method: method}, errTgNotFound)
		return
	}
	c := tgCall{token: token, method: method, r: r}
	if !t.tokenAllowed(token) {
		t.fail(w, c, &tgError{status: 401, desc: "Unauthorized"})
		return
	}
	h := tgHandlerFor(method)
	if h == nil {
		t.fail(w, c, errTgNotFound)
		return
	}
	if !strings.EqualFold(method, "getUpdates") {
		if e := t.fault(token); e != nil {
			t.fail(w, c, e)
			return
		}
	}
	p, err := readParams(w, r)
	if err != nil {
		t.fail(w, c, tgBad("invalid request body"))
		return
	}
	c.p = p
	result, e := h(t, c)
	if e != nil {
		t.fail(w, c, e)
		return
	}
	if m, ok := result.(tgMessageJSON); ok {
		writeMessageOK(w, m)
		return
	}
	if d, ok := result.(tgDescribed); ok {
		writeJSONStatus(w, http.StatusOK, tgOK{OK: true, Result: d.result, Description: d.desc})
		return
	}
	writeJSONStatus(w, http.StatusOK, tgOK{OK: true, Result: result})
}

// tgDescribed is a result that comes with a description ("Webhook was set").
type tgDescribed struct {
	result any
	desc   string
}

type tgHandler func(*Telegram, tgCall) (any, *tgError)

// tgHandlerFor finds the handler of a method; the Bot API ignores the
// case of method names.
func tgHandlerFor(method string) tgHandler {
	switch strings.ToLower(method) {
	case "getme":
		return (*Telegram).getMe
	case "getupdates":
		return (*Telegram).getUpdates
	case "setwebhook":
		return (*Telegram).setWebhook
	case "deletewebhook":
		return (*Telegram).deleteWebhook
	case "getwebhookinfo":
		return (*Telegram).getWebhookInfo
	case "sendmessage":
		return (*Telegram).sendMessage
	case "sendphoto":
		return (*Telegram).sendPhoto
	case "senddocument":
		return (*Telegram).sendDocument
	case "sendmediagroup":
		return (*Telegram).sendMediaGroup
	case "editmessagetext":
		return (*Telegram).editMessageText
	case "editmessagereplymarkup":
		return (*Telegram).editMessageReplyMarkup
	case "deletemessage":
		return (*Telegram).deleteMessage
	case "answercallbackquery":
		return (*Telegram).answerCallbackQuery
	case "getchat":
		return (*Telegram).getChat
	case "getchatmember":
		return (*Telegram).getChatMember
	case "getfile":
		return (*Telegram).getFile
	case "setmycommands":
		return (*Telegram).setMyCommands
	case "getmycommands":
		return (*Telegram).getMyCommands
	}
	return nil
}

func (t *Telegram) tokenAllowed(token string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tokens == nil {
		return true
	}
	ok := false
	for known := range t.tokens { // constant time: never leak a token's prefix
		if subtle.ConstantTimeCompare([]byte(known), []byte(token)) == 1 {
			ok = true
		}
	}
	return ok
}

// fault renders the Faults' verdict as the Bot API does.
func (t *Telegram) fault(token string) *tgError {
	v := t.Faults.Check(token)
	switch {
	case v.Status == 0:
		return nil
	case v.Status == http.StatusTooManyRequests:
		secs := int((v.RetryAfter + time.Second - 1) / time.Second)
		return &tgError{status: 429, desc: "Too Many Requests: retry after " + strconv.Itoa(secs), retryAfter: secs}
	default:
		return &tgError{status: v.Status, desc: http.StatusText(v.Status)}
	}
}

func (t *Telegram) fail(w http.ResponseWriter, c tgCall, e *tgError) {
	t.rec.Reject(Rejection{Platform: "telegram", Token: c.token, Method: c.method, Status: e.status, Reason: e.desc})
	body := tgErrorBody{ErrorCode: e.status, Description: e.desc}
	if e.retryAfter > 0 {
		body.Parameters = &tgErrorParameter{RetryAfter: e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if e.migrateTo != 0 {
		body.Parameters = &tgErrorParameter{MigrateToChatID: e.migrateTo}
	}
	writeJSONStatus(w, e.status, body)
}

// botID is the numeric part of a token ("123456:ABC" → 123456), as on the
// real platform; tokens without one get a stable made-up ID.
func botID(token string) int64 {
	head, _, _ := strings.Cut(token, ":")
	if id, err := strconv.ParseInt(head, 10, 64); err == nil && id > 0 {
		return id
	}
	var h int64 = 7
	for _, b := range []byte(token) {
		h = (h*31 + int64(b)) % 1_000_000_000
	}
	return 1_000_000_000 + h
}

type tgUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Username  string `json:"username,omitempty"`
}

func botUser(token string) tgUser {
	id := botID(token)
	return tgUser{ID: id, IsBot: true, FirstName: "Herald Test Bot", Username: "herald_test_" + strconv.FormatInt(id, 10) + "_bot"}
}

func (t *Telegram) getMe(c tgCall) (any, *tgError) {
	u := botUser(c.token)
	return struct {
		tgUser
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
	}{tgUser: u, CanJoinGroups: true}, nil
}
