// Package telegram is Herald's Telegram bot at the edge: end users in
// private chats (/start with a deep-link payload, /stop, messages, blocks),
// the groups and channels the bot is added to or removed from, and taps on
// broadcast buttons. Updates come by long polling (the default) or by
// webhook. Updates from admin chats go to an AdminHandler, the admin
// frontend's entry point in this package.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/locales"
)

// AdminHandler takes the updates of admin chats (the admin groups, and
// private chats of admin users). The admin frontend implements it; until
// then it is nil and admin chats are ignored, never recorded as recipients.
type AdminHandler interface {
	HandleAdminUpdate(ctx context.Context, upd *models.Update) error
}

// Options configure a Handler.
type Options struct {
	Token string
	// APIURL is the Bot API server, e.g. a platformtest fake (required).
	APIURL string
	// Endpoint's HTTPClient is used for every call; its timeout must
	// exceed PollTimeout (default: PollTimeout and 10s).
	inbound.Endpoint
	// PollTimeout is the long-poll wait (default 30s).
	PollTimeout time.Duration
	// WebhookSecret is checked against X-Telegram-Bot-Api-Secret-Token in
	// webhook mode; without it every webhook request is refused.
	WebhookSecret string
	// AdminChatIDs are admin groups; AdminUserIDs admins' own user IDs.
	AdminChatIDs []int64
	AdminUserIDs []int64
	Admin        AdminHandler
	// Moves gives a group that became a supergroup its new ID, keeping its
	// tags, attributes, activity and consent (*storage.Store is one).
	// Without it the supergroup starts as a new subscriber and the old
	// record stays until a broadcast to it finds out.
	Moves Mover
	// Catalog words the answer to /chatid in a group (nil: not answered).
	Catalog *locales.Catalog
	// Account is the name of the bot's account ("" the default one): the
	// people and groups that talk to it are its own subscribers. A named
	// account's bot has no admin chats.
	Account string
}

// Mover records that a chat now lives under a new ID.
type Mover interface {
	MoveSubscriber(from, to herald.SubscriberKey) (herald.Subscriber, error)
}

// Handler turns Telegram updates into Herald's end-user events.
type Handler struct {
	opts       Options
	bot        *bot.Bot
	client     *http.Client
	log        *slog.Logger
	adminChats map[int64]bool
	adminUsers map[int64]bool

	// movedAdmins are the new IDs of admin groups that became supergroups
	// since start (telegram.admin_chat_ids still names the old ones): still
	// admin chats, never broadcast recipients.
	movedMu     sync.RWMutex
	movedAdmins map[int64]bool

	groups groupIDs
}

// New builds a Handler; it makes no network call.
func New(opts Options) (*Handler, error) {
	if opts.Token == "" || opts.APIURL == "" || opts.Inbox == nil {
		return nil, errors.New("telegram: token, API URL and inbox are required")
	}
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 30 * time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: opts.PollTimeout + 10*time.Second}
	}
	opts.Endpoint = opts.Endpoint.WithDefaults()
	opts.APIURL = strings.TrimSuffix(opts.APIURL, "/")
	b, err := bot.New(opts.Token, bot.WithServerURL(opts.APIURL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(opts.PollTimeout, opts.HTTPClient),
		bot.WithErrorsHandler(func(err error) { opts.Logger.Warn("telegram: sdk", "error", err) }))
	if err != nil {
		return nil, fmt.Errorf("telegram: new bot: %w", err)
	}
	h := &Handler{opts: opts, bot: b, client: opts.HTTPClient, log: opts.Logger,
		adminChats: map[int64]bool{}, adminUsers: map[int64]bool{}, movedAdmins: map[int64]bool{}}
	for _, id := range opts.AdminChatIDs {
		h.adminChats[id] = true
	}
	for _, id := range opts.AdminUserIDs {
		h.adminUsers[id] = true
	}
	return h, nil
}

// Process records a batch of updates in order and returns once the
// end-user events among them are durable: only then may they be confirmed
// to Telegram. Replies and callback answers follow on the inbox's
// follow-up pool.
func (h *Handler) Process(ctx context.Context, upds []*models.Update) error {
	var evs []inbound.Event
	var metas []meta
	var admin []*models.Update
	for _, upd := range upds {
		if upd == nil {
			continue
		}
		h.followAdminGroup(upd)
		if h.isAdmin(upd) {
			admin = append(admin, upd)
			continue
		}
		h.noticeGroup(ctx, upd)
		e, m := translate(upd)
		for i := range e {
			// update_id is the same when an update comes again (a webhook
			// retried, a batch fetched again after a crash): applied once.
			e[i].ID = strconv.FormatInt(upd.ID, 10)
			e[i].Key.Account = h.opts.Account
			if i > 0 {
				e[i].ID += "." + strconv.Itoa(i)
			}
			if err := e[i].Validate(); err != nil { // a malformed update must not block the queue
				h.log.Warn("telegram: update dropped", "update_id", upd.ID, "error", err)
				continue
			}
			if m[i].movedFrom != 0 {
				// What came before is written first, so that nothing
				// recreates the old ID after the move.
				if err := h.record(ctx, evs, metas); err != nil {
					return err
				}
				evs, metas = nil, nil
				if err := h.move(h.key(m[i].movedFrom), e[i].Key); err != nil {
					return err
				}
			}
			evs, metas = append(evs, e[i]), append(metas, m[i])
		}
	}
	if err := h.record(ctx, evs, metas); err != nil {
		return err
	}
	// Admin updates go after the write, so a batch fetched again after a
	// failed write does not reach the admin side twice.
	for _, upd := range admin {
		h.toAdmin(ctx, upd)
	}
	return nil
}

func (h *Handler) record(ctx context.Context, evs []inbound.Event, metas []meta) error {
	if len(evs) == 0 {
		return nil
	}
	// The write must not be cut short by shutdown: a half-recorded batch
	// would be redelivered anyway, so let it commit (it takes milliseconds).
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	results, err := h.opts.Inbox.Record(wctx, evs...)
	if err != nil {
		return fmt.Errorf("telegram: record %d events: %w", len(evs), err)
	}
	for i, res := range results {
		h.followUp(metas[i], res)
	}
	return nil
}

// move gives a group that became a supergroup its new ID. Both service
// messages announcing it call it; the second finds the move done. A group
// Herald never knew is left to the event that follows, which records it.
func (h *Handler) move(from, to herald.SubscriberKey) error {
	if h.opts.Moves == nil {
		h.log.Warn("telegram: group became a supergroup but nothing records moves", "from", from.ID, "to", to.ID)
		return nil
	}
	_, err := h.opts.Moves.MoveSubscriber(from, to)
	switch {
	case errors.Is(err, herald.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("telegram: move group %s to %s: %w", from.ID, to.ID, err)
	}
	h.log.Info("telegram: group became a supergroup; subscriber moved", "from", from.ID, "to", to.ID)
	return nil
}

func (h *Handler) toAdmin(ctx context.Context, upd *models.Update) {
	if h.opts.Admin == nil {
		h.log.Debug("telegram: admin chat update ignored: no admin frontend", "update_id", upd.ID)
		return
	}
	if err := h.opts.Admin.HandleAdminUpdate(ctx, upd); err != nil {
		h.log.Error("telegram: admin update", "update_id", upd.ID, "error", err)
	}
}

// isAdmin reports whether an update belongs to an admin chat: an admin
// group always; an admin user's private chat only when an admin frontend
// exists (otherwise the admin is an end user like any other).
func (h *Handler) isAdmin(upd *models.Update) bool {
	chat, private, from := chatOf(upd)
	if h.isAdminGroup(chat) {
		return true
	}
	return h.opts.Admin != nil && private && h.adminUsers[from]
}

func (h *Handler) isAdminGroup(chat int64) bool {
	if h.adminChats[chat] {
		return true
	}
	h.movedMu.RLock()
	defer h.movedMu.RUnlock()
	return h.movedAdmins[chat]
}

// followAdminGroup keeps an admin group that became a supergroup an admin
// chat under its new ID until the operator updates the configuration.
func (h *Handler) followAdminGroup(upd *models.Update) {
	if upd.Message == nil {
		return
	}
	from, to, ok := migration(upd.Message)
	if !ok || !h.isAdminGroup(from) || h.isAdminGroup(to) {
		return
	}
	h.movedMu.Lock()
	h.movedAdmins[to] = true
	h.movedMu.Unlock()
	h.log.Error("telegram: an admin group became a supergroup with a new ID; put the new ID in telegram.admin_chat_ids before the next restart",
		"old_chat_id", from, "new_chat_id", to)
}

// followUp sends what the user should see after an event: a confirmation
// of /start, /stop or a keyword, and the answer to a button press.
func (h *Handler) followUp(m meta, res inbound.Result) {
	text := res.Reply
	switch kw := h.opts.Inbox.Keywords(); m.command {
	case "start":
		text = kw.Welcome(res.Subscriber.Locale)
	case "stop":
		text = kw.Reply(inbound.Unsubscribe, res.Subscriber.Locale)
	}
	if res.Repeat {
		text = "" // confirmed when first delivered; a callback is still answered
	}
	if m.callbackID == "" && text == "" {
		return
	}
	h.opts.Inbox.Later(h.key(m.chatID).String(), func(ctx context.Context) {
		if m.callbackID != "" {
			if _, err := h.bot.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: m.callbackID}); err != nil {
				h.log.Warn("telegram: answer callback query", "error", err)
			}
		}
		if text != "" && m.chatID != 0 {
			if _, err := h.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: m.chatID, Text: text}); err != nil {
				h.log.Warn("telegram: send confirmation", "chat_id", m.chatID, "error", err)
			}
		}
	})
}
