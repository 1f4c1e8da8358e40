package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/locales"
)

// Frontend is the name the admin side gives flows (flows.Input.Frontend,
// herald.Origin.Frontend).
const Frontend = "telegram"

// AdminOptions configure the admin side.
type AdminOptions struct {
	Token  string
	APIURL string
	adminchat.Common
	// AdminChatIDs are the admin groups; their administrators and creator
	// may act. AdminUserIDs may act anywhere the admin side answers,
	// including their private chat with the bot.
	AdminChatIDs []int64
	AdminUserIDs []int64
	// MemberTTL is how long a getChatMember answer is trusted (default 5m):
	// a demoted admin loses access within it.
	MemberTTL time.Duration
	// Previews sends the summary's preview into the chat as recipients
	// get the message; nil: the summary comes without it.
	Previews Previewer
	// HTML renders a broadcast's formatted text in the Bot API's HTML
	// (dispatch/telegram.HTML, wired in cmd/bot) where a reply quotes the
	// message (flows.Reply.Markup: the summary, the wizard's preview);
	// nil: it shows in Herald's markup, as typed at the console.
	HTML func(text string, spans []herald.Span) string
}

// Admin is the Telegram admin frontend: it renders flows conversations in
// the admin groups and admins' private chats. It implements AdminHandler
// (plug it into Options.Admin), flows.Access for the "telegram" frontend,
// and adminchat.Surface for progress and reports.
type Admin struct {
	opts  AdminOptions
	bot   *bot.Bot
	log   *slog.Logger
	chats map[int64]bool
	users map[int64]bool
	queue *adminchat.Queue[convKey]

	meOnce sync.Once
	me     *models.User

	mu      sync.Mutex
	members *adminchat.Lookups[[2]int64, bool] // (chat, user) → administers it
	owners  *ownerIndex
	expects map[convKey]flows.Expect
}

// convKey is one admin's conversation in one chat.
type convKey struct{ chat, user int64 }

// NewAdmin builds the admin side; it makes no network call.
func NewAdmin(opts AdminOptions) (*Admin, error) {
	if opts.Token == "" || opts.APIURL == "" || opts.Flows == nil || opts.Catalog == nil || opts.Audit == nil {
		return nil, errors.New("telegram: admin: token, API URL, flows, catalog and auditor are required")
	}
	if opts.MemberTTL <= 0 {
		opts.MemberTTL = 5 * time.Minute
	}
	opts.Common = opts.Common.WithDefaults()
	opts.APIURL = strings.TrimSuffix(opts.APIURL, "/")
	b, err := bot.New(opts.Token, bot.WithServerURL(opts.APIURL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(opts.HTTPClient.Timeout, opts.HTTPClient))
	if err != nil {
		return nil, fmt.Errorf("telegram: admin: new bot: %w", err)
	}
	a := &Admin{opts: opts, bot: b, log: opts.Logger, chats: map[int64]bool{}, users: map[int64]bool{},
		queue: adminchat.NewQueue[convKey](), members: adminchat.NewLookups[[2]int64, bool](opts.MemberTTL, opts.Now), owners: newOwnerIndex(10000),
		expects: map[convKey]flows.Expect{}}
	for _, id := range opts.AdminChatIDs {
		a.chats[id] = true
	}
	for _, id := range opts.AdminUserIDs {
		a.users[id] = true
	}
	return a, nil
}

// HandleAdminUpdate queues an update of an admin chat behind the earlier
// ones of the same conversation (chat + user) and returns at once: the SDK
// and webhooks deliver updates concurrently, and two quick presses must
// reach flows in order. Other conversations go on in parallel.
func (a *Admin) HandleAdminUpdate(ctx context.Context, upd *models.Update) error {
	var key convKey
	var job func(context.Context)
	switch {
	case upd.Message != nil && upd.Message.From != nil:
		msg := upd.Message
		key = convKey{msg.Chat.ID, msg.From.ID}
		job = func(ctx context.Context) { a.onMessage(ctx, msg) }
	case upd.CallbackQuery != nil:
		cq := upd.CallbackQuery
		chat, _ := callbackChat(cq)
		key = convKey{chat, cq.From.ID}
		job = func(ctx context.Context) { a.onCallback(ctx, cq) }
	default:
		return nil // edits, membership changes: nothing for the admin side
	}
	// The work outlives a poll loop that is shutting down; Close waits.
	a.queue.GoJob(ctx, key, a.opts.JobTimeout, job)
	return nil
}

// Close waits for queued updates to be handled, or for ctx to end.
func (a *Admin) Close(ctx context.Context) error {
	if err := a.queue.WaitContext(ctx); err != nil {
		return fmt.Errorf("telegram: admin: close: %w", err)
	}
	return nil
}

// botUser is the bot itself (for mentions and replies to its prompts),
// asked once.
func (a *Admin) botUser(ctx context.Context) *models.User {
	a.meOnce.Do(func() {
		me, err := a.bot.GetMe(ctx)
		if err != nil {
			a.log.Warn("telegram: admin: getMe failed; mentions are not recognised", "error", err)
			me = &models.User{}
			if id, err := strconv.ParseInt(strings.SplitN(a.opts.Token, ":", 2)[0], 10, 64); err == nil {
				me.ID = id // the token starts with the bot's ID
			}
		}
		a.me = me
	})
	return a.me
}

func (a *Admin) loc(u *models.User) *locales.Localizer {
	if u == nil {
		return a.opts.Catalog.Localizer("")
	}
	return a.opts.Catalog.Localizer(u.LanguageCode)
}

// allowedChat reports whether the admin side answers in chat at all.
func (a *Admin) allowedChat(chat int64, private bool, user int64) bool {
	return a.chats[chat] || (private && a.users[user])
}
