// Package api is Herald's REST API for the platform's own systems:
// subscribers (self-registration, tags, attributes, erasure), operator
// chats, named events, broadcasts ("external" ones, shown in the admin
// chats like any other) and audience counts. JSON under /api/v1, Bearer
// tokens from the config, documented in docs/openapi.yaml.
package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/metrics"
)

// frontend is the Origin.Frontend of broadcasts made through the API.
const frontend = "api"

// Subscribers is what the API needs to manage subscribers.
type Subscribers interface {
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
	UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error)
	DeleteSubscriber(key herald.SubscriberKey) error
}

// Broadcasts is what the API reads of broadcasts; every change goes
// through the broadcasts service (Options.Broadcasts).
type Broadcasts interface {
	Broadcast(id string) (herald.Broadcast, error)
	ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error)
}

// Results reads what runs did, for counts, click-through and failure CSVs.
type Results interface {
	RunsOf(broadcastID string) ([]herald.Run, error)
	Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error)
	Taps(broadcastID string) ([]herald.TapCount, error)
	// Clicks are the tracked link clicks per URL button (handlers/clicks).
	Clicks(broadcastID string) ([]herald.TapCount, error)
}

// Store is everything the API uses; *storage.Store satisfies it.
type Store interface {
	Subscribers
	Broadcasts
	Results
	Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error)
	Audit(e herald.AuditEntry) error
}

// Service is the broadcasts service (*broadcasts.Service): every change
// to a broadcast is decided there, as for the admin chat; the API only
// translates its answers into status codes.
type Service interface {
	Submit(ctx context.Context, d herald.Broadcast, editID string, who broadcasts.Actor) (herald.Broadcast, herald.Count, error)
	SaveDraft(ctx context.Context, d herald.Broadcast, editID string, who broadcasts.Actor) (herald.Broadcast, error)
	Pause(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	Resume(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	Cancel(ctx context.Context, id string, who broadcasts.Actor) (herald.Change, error)
	RetryFailed(ctx context.Context, id string, who broadcasts.Actor) (herald.Run, int, error)
	PickVariant(ctx context.Context, id string, variant int, who broadcasts.Actor) (herald.Broadcast, error)
	TestResults(p *herald.Broadcast) ([]herald.VariantResult, error)
	WriteFailures(w io.Writer, id string, begin func()) (herald.ReasonCounter, int, error)
}

// Releaser sends the broadcast messages held for a subscriber while their
// operator chat was open.
type Releaser interface {
	Release(ctx context.Context, key herald.SubscriberKey) error
}

// Token is one bearer token; Name is the audit actor ("api:<name>").
type Token struct {
	Name   string
	Secret string
}

// Options configure a Server.
type Options struct {
	Store      Store
	Broadcasts Service // required
	Tokens     []Token
	Releaser   Releaser // may be nil
	Now        func() time.Time
	Logger     *slog.Logger
	Metrics    *metrics.Metrics
	// MaxBody bounds a request body (default 256 KiB).
	MaxBody int64
	// Roster serves the bulk subscriber routes (import, list, export);
	// nil: they answer 501.
	Roster Roster
	// MaxImport bounds an imported file (default 1 GiB: it is streamed).
	MaxImport int64
	// Sequences serves the sequence routes and POST /events, and hears
	// tags added (nil: those routes answer 501).
	Sequences Sequences
	// Accounts are the platforms' accounts by every name an audience may
	// give them ("line", "line:main", "line:shop"); nil takes any
	// well-formed account.
	Accounts map[string]herald.Account
}

// Server serves /api/v1.
type Server struct {
	opts   Options
	tokens []tokenHash
	log    *slog.Logger
	mux    *http.ServeMux
}

type tokenHash struct {
	name string
	sum  [32]byte
}

// New builds the API; with no tokens every request is refused.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 256 << 10
	}
	if opts.MaxImport <= 0 {
		opts.MaxImport = 1 << 30
	}
	s := &Server{opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	for _, t := range opts.Tokens {
		if t.Secret != "" {
			s.tokens = append(s.tokens, tokenHash{t.Name, sha256.Sum256([]byte(t.Secret))})
		}
	}
	s.routes()
	return s
}

// route is one endpoint; docs/openapi.yaml documents each (a test checks).
type route struct {
	method, path string
	h            handlerFunc
}

func (s *Server) table() []route {
	sub := "/api/v1/subscribers/{platform}/{id}"
	return []route{
		{"POST", "/api/v1/subscribers/import", s.importSubscribers},
		{"GET", "/api/v1/subscribers", s.listSubscribers},
		{"GET", "/api/v1/subscribers/export.csv", s.exportSubscribers},
		{"PUT", sub, s.upsertSubscriber},
		{"GET", sub, s.getSubscriber},
		{"DELETE", sub, s.deleteSubscriber},
		{"POST", sub + "/tags", s.tagSubscriber},
		{"DELETE", sub + "/tags/{tag}", s.untagSubscriber},
		{"PATCH", sub + "/attributes", s.setAttributes},
		{"POST", sub + "/operator-chat", s.openOperatorChat},
		{"DELETE", sub + "/operator-chat", s.closeOperatorChat},
		{"POST", sub + "/events", s.recordEvent},
		{"POST", "/api/v1/broadcasts", s.createBroadcast},
		{"GET", "/api/v1/broadcasts", s.listBroadcasts},
		{"GET", "/api/v1/broadcasts/{bid}", s.getBroadcast},
		{"POST", "/api/v1/broadcasts/{bid}/pause", s.control(herald.StatusPaused)},
		{"POST", "/api/v1/broadcasts/{bid}/resume", s.control(herald.StatusScheduled)},
		{"POST", "/api/v1/broadcasts/{bid}/cancel", s.control(herald.StatusCanceled)},
		{"POST", "/api/v1/broadcasts/{bid}/retry", s.retry},
		{"POST", "/api/v1/broadcasts/{bid}/pick", s.pick},
		{"GET", "/api/v1/broadcasts/{bid}/failures.csv", s.failuresCSV},
		{"POST", "/api/v1/audience/count", s.countAudience},
		{"POST", "/api/v1/sequences", s.createSequence},
		{"GET", "/api/v1/sequences", s.listSequences},
		{"GET", "/api/v1/sequences/{qid}", s.getSequence},
		{"PUT", "/api/v1/sequences/{qid}", s.replaceSequence},
		{"DELETE", "/api/v1/sequences/{qid}", s.deleteSequence},
		{"POST", "/api/v1/sequences/{qid}/pause", s.pauseSequence(true)},
		{"POST", "/api/v1/sequences/{qid}/resume", s.pauseSequence(false)},
		{"POST", "/api/v1/events", s.triggerEvent},
	}
}

func (s *Server) routes() {
	for _, rt := range s.table() {
		s.handle(rt.method+" "+rt.path, rt.h)
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path, "")
	})
}

// handlerFunc is an endpoint; actor is "api:<token name>".
type handlerFunc func(w http.ResponseWriter, r *http.Request, actor string)

func (s *Server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		name, why := s.authenticate(r)
		if why != "" {
			s.log.Warn("api: request refused", "reason", why, "method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "missing or wrong bearer token", "")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(pattern))
		h(w, r, "api:"+name)
	})
}

// ServeHTTP serves the API, counting answers by status.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(sw, r)
	s.opts.Metrics.APIRequest(sw.status)
}

// BearerToken reads the token of an "Authorization: Bearer <token>"
// header. The scheme is matched in any case ("bearer", "BEARER"), as HTTP
// says schemes are. why, when the header gives no token, says what is
// wrong with it without quoting it (it may hold a secret). It is exported
// for the other routes that take a bearer token (the hot backup).
func BearerToken(header string) (token, why string) {
	if strings.TrimSpace(header) == "" {
		return "", "no Authorization header"
	}
	scheme, raw, _ := strings.Cut(strings.TrimSpace(header), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", "the Authorization scheme is not Bearer"
	}
	if token = strings.TrimSpace(raw); token == "" {
		return "", "the bearer token is empty"
	}
	return token, ""
}

// authenticate compares the bearer token with every configured one in
// constant time (hashes first, so lengths leak nothing either). why says
// why a request is refused (never quoting the token); empty, it is not.
func (s *Server) authenticate(r *http.Request) (name, why string) {
	raw, why := BearerToken(r.Header.Get("Authorization"))
	if why != "" {
		return "", why
	}
	got := sha256.Sum256([]byte(raw))
	found := false
	for _, t := range s.tokens {
		if subtle.ConstantTimeCompare(got[:], t.sum[:]) == 1 {
			name, found = t.name, true
		}
	}
	if !found {
		return "", "the bearer token is not one of api.tokens"
	}
	return name, ""
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// audit records an API action; a failure is logged, not fatal.
func (s *Server) audit(actor, action, target, detail string) {
	if err := s.opts.Store.Audit(herald.AuditEntry{At: s.opts.Now(), Actor: actor, Action: action, Target: target, Detail: detail}); err != nil {
		s.log.Error("api: audit", "action", action, "target", target, "error", err)
	}
}

// fail answers err: validation errors name the field, the root's errors
// map to their status codes, anything else is a logged 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *herald.ValidationError
	var unknown *herald.UnknownResponseError
	var over *herald.QuotaError
	switch {
	case errors.As(err, &over):
		writeError(w, http.StatusUnprocessableEntity, herald.CodeOverQuota, "audience: "+over.Error(), "audience")
	case errors.As(err, &unknown):
		field := "audience.tapped"
		if unknown.Response.Not {
			field = "audience.not_tapped"
		}
		writeError(w, http.StatusUnprocessableEntity, herald.CodeUnknown, field+": "+unknown.Error(), field)
	case errors.As(err, &ve):
		writeError(w, http.StatusUnprocessableEntity, ve.Code, validationMessage(ve), ve.Field)
	case errors.Is(err, herald.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "not found", "")
	case errors.Is(err, herald.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", "an unfinished broadcast already has this name", "name")
	case errors.Is(err, herald.ErrInvalidTransition):
		writeError(w, http.StatusConflict, "invalid_transition", "not possible in the broadcast's current status", "status")
	case errors.Is(err, herald.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", "this token may not do that", "")
	default:
		s.log.Error("api: request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal", "something went wrong on our side; try again", "")
	}
}

func validationMessage(ve *herald.ValidationError) string {
	switch ve.Code {
	case herald.CodeRequired:
		return ve.Field + " is required"
	case herald.CodeTooLong:
		return ve.Field + " is too long (at most " + itoa(ve.Limit) + " characters)"
	case herald.CodeTooMany:
		return ve.Field + " has too many entries (at most " + itoa(ve.Limit) + ")"
	case herald.CodeInPast:
		return ve.Field + " is in the past"
	case herald.CodeUnknown:
		return ve.Field + " is not a known value"
	case herald.CodeNoRecipients:
		return ve.Field + " matches no one who can be sent to now; check the tags, channels and recipients, or save a draft"
	case herald.CodeEmptySpan:
		return ve.Field + " starts and ends at the same time; give two different times, e.g. 22:00 and 08:00"
	}
	return ve.Field + " is not valid"
}
