package flows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/locales"
)

// Broadcasts is what flows reads of the broadcast store; every change goes
// through the broadcasts service (Config.Broadcasts).
type Broadcasts interface {
	Broadcast(id string) (herald.Broadcast, error)
	ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error)
	FindBroadcasts(text string, limit int) ([]herald.Broadcast, error)
}

// Audiences sizes audiences and lists tags for the wizard's live count,
// and looks up the people an uploaded list names.
type Audiences interface {
	Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error)
	Tags() []herald.TagCount
	Subscriber(key herald.SubscriberKey) (herald.Subscriber, error)
	// EachRecipient streams an audience's members (the summary's preview
	// is personalised for one of them).
	EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error
}

// Sessions keeps conversation state across restarts (opaque bytes).
type Sessions interface {
	PutSession(key string, data []byte) error
	Session(key string) ([]byte, error)
	DeleteSession(key string) error
}

// Admins remembers each admin's language, timezone and test recipients.
type Admins interface {
	SaveAdmin(a herald.Admin) error
	Admin(key string) (herald.Admin, error)
}

// Media keeps images uploaded in the chat.
type Media interface {
	PutMedia(contentType string, data []byte) (string, error)
}

// History answers /log and /errors and records who did what.
type History interface {
	Audit(e herald.AuditEntry) error
	AuditLog(target string, limit int) ([]herald.AuditEntry, error)
	RunsOf(broadcastID string) ([]herald.Run, error)
	Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error)
}

// Store is everything flows keeps; *storage.Store satisfies it.
type Store interface {
	Broadcasts
	Audiences
	Sessions
	Admins
	Media
	History
	Engagement
	People
}

// Access decides who may act. Frontends know their own admins (Slack
// allow-lists, Telegram admin groups); flows asks before every change.
type Access interface {
	// IsAdmin reports whether the user may create and manage broadcasts.
	IsAdmin(frontend, userID string) bool
	// MayApprove reports whether the user may approve someone else's
	// broadcast under the two-person rule.
	MayApprove(frontend, userID string) bool
}

// AllowAll is the Access of a single-operator setup such as the demo
// console: everyone may do everything.
type AllowAll struct{}

// IsAdmin always reports true.
func (AllowAll) IsAdmin(string, string) bool { return true }

// MayApprove always reports true.
func (AllowAll) MayApprove(string, string) bool { return true }

// Interim posts a message in an admin chat at once (adminchat.Reporter).
type Interim interface {
	Say(ctx context.Context, where herald.Origin, r Reply)
}

// TestSender delivers a broadcast's real message to one test recipient.
type TestSender interface {
	SendTest(ctx context.Context, b *herald.Broadcast, to herald.SubscriberKey) error
}

// Config wires an Engine. Store, Catalog and Channels are required.
type Config struct {
	Store   Store
	Catalog *locales.Catalog
	Access  Access // nil: AllowAll
	// Broadcasts is where every change to a broadcast is decided (nil: a
	// service over Store without a dispatcher, for tests and tools).
	Broadcasts Service
	Tests      TestSender
	// Estimates says how long a broadcast takes to send on each channel
	// (the summary's preflight ETA); nil: the summary has no ETA.
	Estimates Estimator
	// AsksApprovers says the admin chats post an approval request when a
	// broadcast waits for one (else its creator is told whom to ask).
	AsksApprovers bool
	// Channels are the delivery platforms configured on this bot; the
	// wizard offers only these.
	Channels []herald.Platform
	// Accounts are the channels' accounts with the names admins call them
	// by, in the order offered; nil: one (default) account per channel.
	// A platform with several is chosen account by account.
	Accounts []Account
	// AdminAccounts restricts admins to some accounts, by AdminKey; an
	// admin not listed may use every account.
	AdminAccounts map[string][]herald.Account
	// Location is the bot's timezone (default UTC).
	Location *time.Location
	// SessionTTL ends an idle conversation (default 24h).
	SessionTTL time.Duration
	// UndoDelay is how long "send now" waits (default 60s).
	UndoDelay time.Duration
	// MinLeadTime is how far ahead a scheduled time must be (default 5m).
	MinLeadTime time.Duration
	// QuietHours are the bot's default quiet hours (config
	// schedule.quiet_hours), named where a broadcast follows them; nil: none.
	QuietHours *herald.QuietHours
	// ApprovalThreshold: audiences larger than this need a second admin
	// (0: never).
	ApprovalThreshold int
	// CSVMaxBytes bounds an uploaded CSV of user IDs (default 5 MiB).
	CSVMaxBytes int64
	// Roster imports, exports and syncs subscribers (/import, /export,
	// /sync); nil: those commands say they are off.
	Roster Roster
	// LINEFollowers lists each LINE account's followers for /sync line, by
	// account name ("" the default account).
	LINEFollowers map[string]roster.FollowerSource
	// Interim posts messages while a long command runs (an import's
	// progress), before its answer; nil: only the answer is shown.
	Interim Interim
	// TrackClicks says URL buttons go out as tracked links
	// (public_base_url is set): the wizard and /stats say whether link
	// clicks are counted.
	TrackClicks bool
	// Sequences makes and manages drips (/sequences, /sequence); nil:
	// those commands say they are off.
	Sequences Sequences
	// Quota reads LINE's monthly quota for the summary (nil: not shown);
	// the broadcasts service refuses what would run over it.
	Quota herald.QuotaReader
	// NewSeed draws the seed of a sample chosen in the wizard (default
	// herald.NewSampleSeed; tests fix it so their counts do not vary).
	NewSeed func() uint64
	Now     func() time.Time
	Logger  *slog.Logger
}

// Engine runs admin conversations. It is safe for concurrent use; inputs of
// one session are handled one at a time, in arrival order.
type Engine struct {
	cfg   Config
	mu    sync.Mutex
	locks map[string]*sessionLock
	codes testCodes // pending /testme codes
}

type sessionLock struct {
	mu   sync.Mutex
	refs int
}

// New checks cfg, fills defaults and returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Catalog == nil {
		return nil, errors.New("flows: Store and Catalog are required")
	}
	if len(cfg.Channels) == 0 {
		return nil, errors.New("flows: no delivery channel is configured")
	}
	if cfg.Access == nil {
		cfg.Access = AllowAll{}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 24 * time.Hour
	}
	if cfg.UndoDelay <= 0 {
		cfg.UndoDelay = time.Minute
	}
	if cfg.MinLeadTime <= 0 {
		cfg.MinLeadTime = 5 * time.Minute
	}
	if cfg.CSVMaxBytes <= 0 {
		cfg.CSVMaxBytes = 5 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewSeed == nil {
		cfg.NewSeed = herald.NewSampleSeed
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Broadcasts == nil {
		st, ok := cfg.Store.(broadcasts.Store)
		if !ok {
			return nil, errors.New("flows: Broadcasts is required")
		}
		svc, err := broadcasts.New(broadcasts.Options{Store: st, MinLeadTime: cfg.MinLeadTime, UndoDelay: cfg.UndoDelay,
			ApprovalThreshold: cfg.ApprovalThreshold, Location: cfg.Location, Now: cfg.Now, Logger: cfg.Logger, Quota: cfg.Quota})
		if err != nil {
			return nil, fmt.Errorf("flows: %w", err)
		}
		cfg.Broadcasts = svc
	}
	return &Engine{cfg: cfg, locks: map[string]*sessionLock{}}, nil
}

// Handle processes one input and returns the replies to show. Errors are
// only returned for storage failures; anything the admin got wrong is a
// reply.
func (e *Engine) Handle(ctx context.Context, in Input) ([]Reply, error) {
	rs, err := e.handle(ctx, in)
	return settled(rs), err
}

func (e *Engine) handle(ctx context.Context, in Input) ([]Reply, error) {
	key := sessionKey(in)
	unlock := e.lock(key)
	defer unlock()
	if l, ok := e.cfg.Store.(SessionLocker); ok {
		unlockShared, err := l.LockSession(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("flows: lock session %s: %w", key, err)
		}
		defer unlockShared()
	}

	t, err := e.newTurn(ctx, in, key)
	if err != nil {
		return nil, err
	}
	if !e.cfg.Access.IsAdmin(in.Frontend, in.UserID) {
		_ = e.cfg.Store.Audit(herald.AuditEntry{At: t.now, Actor: t.actor, Action: "access.denied", Detail: strings.TrimSpace(in.Text)})
		t.say(t.T("err.not_admin"))
		return t.replies, nil
	}
	if err := t.saveAdminName(); err != nil {
		return nil, err
	}
	if err := t.dispatch(); err != nil {
		e.cfg.Logger.Error("flows: handle input", "session", key, "step", t.sess.Step, "error", err)
		t.say(t.T("err.internal"))
		return t.replies, err
	}
	if err := t.saveSession(); err != nil {
		return t.replies, err
	}
	return t.replies, nil
}

// SessionLocker is what a store shared by several processes (PostgreSQL
// with several instances) adds to lock: a session's turns one at a time
// across the processes, in order. Without it (bbolt: one process), lock
// is enough.
type SessionLocker interface {
	LockSession(ctx context.Context, key string) (unlock func(), err error)
}

// lock serialises inputs per session: two quick presses must not both
// read the same state and overwrite each other.
func (e *Engine) lock(key string) func() {
	e.mu.Lock()
	l := e.locks[key]
	if l == nil {
		l = &sessionLock{}
		e.locks[key] = l
	}
	l.refs++
	e.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		e.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(e.locks, key)
		}
		e.mu.Unlock()
	}
}

func sessionKey(in Input) string {
	return in.Frontend + ":" + in.ChatID + ":" + in.UserID
}

func adminKey(in Input) string { return in.Frontend + ":" + in.UserID }

// ChoiceResume is what a frontend sends when the admin comes back (the
// console at start): an unfinished broadcast is shown again at its step,
// with everything entered so far; otherwise nothing is said.
const ChoiceResume = "wiz:resume"

func (t *turn) resume() error {
	if t.sess.Step == "" {
		return nil
	}
	t.say(t.unfinishedNote("wizard.resumed_unnamed", "wizard.resumed"))
	return t.ask()
}

// unfinishedNote names what the admin left unfinished: the sequence, or
// the broadcast by its name (the key named) or without one (unnamed).
func (t *turn) unfinishedNote(unnamed, named string) string {
	switch {
	case t.sess.Seq != nil:
		return t.T("seq.waiting", "Name", t.orDash(t.sess.Seq.Q.Name))
	case t.sess.Draft.Name != "":
		return t.T(named, "Name", t.sess.Draft.Name)
	}
	return t.T(unnamed)
}

// dispatch routes the input: commands first, then the active step.
func (t *turn) dispatch() error {
	text := strings.TrimSpace(t.in.Text)
	if strings.HasPrefix(t.in.Choice, "/") {
		text, t.in.Choice = t.in.Choice, ""
	}
	if strings.HasPrefix(text, "/") && t.in.File == nil {
		return t.command(text)
	}
	if t.in.Choice == ChoiceResume {
		return t.resume()
	}
	if t.sess.Awaiting != "" {
		if handled, err := t.awaited(); handled {
			return err
		}
	}
	if t.sess.Step == "" {
		t.say(t.T("help.idle"), t.choice("/new", t.T("btn.new")), t.choice("/list", t.T("btn.list")), t.choice("/help", t.T("btn.help")))
		return nil
	}
	switch t.in.Choice {
	case "wiz:again":
		return t.ask()
	case choiceCancel:
		return t.askCancel()
	case choiceDiscard:
		return t.cancelWizard()
	case choiceBack:
		return t.back()
	}
	st, ok := stepFor(t.sess.Step)
	if !ok {
		return fmt.Errorf("flows: unknown step %q in session", t.sess.Step)
	}
	return st.handle(t)
}
