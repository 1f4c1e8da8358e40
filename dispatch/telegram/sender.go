// Package telegram delivers broadcasts through the Telegram Bot API with
// github.com/go-telegram/bot: sendMessage, sendPhoto and sendMediaGroup with
// inline keyboards (URL and callback buttons), to users, groups and channels.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// Config configures a Sender.
type Config struct {
	Token   string
	BaseURL string // the Bot API root; the real one when empty
	Client  *http.Client
	// MediaURL turns an uploaded image's MediaID into the URL Herald serves
	// it from.
	MediaURL func(mediaID string) string
	// ChatGap and GroupGap space the second request to one chat (an album
	// followed by its buttons): Telegram allows 1 message per second per
	// chat and 20 per minute per group. The sender declares them with its
	// rate class; the engine waits them out (dispatch.Message.Paced).
	ChatGap, GroupGap time.Duration
	// Moves records a group's new ID when Telegram says it became a
	// supergroup; the send then answers dispatch.ErrRecipientMoved and the
	// engine delivers to the new ID. Without it the sender resends there
	// itself and nothing is recorded.
	Moves  Mover
	Logger *slog.Logger
}

// Mover records that a chat now lives under a new ID, keeping everything
// known about it; *storage.Store is one.
type Mover interface {
	MoveSubscriber(from, to herald.SubscriberKey) (herald.Subscriber, error)
}

// Sender sends one recipient's message per call.
type Sender struct {
	bot  *bot.Bot
	text *textClient
	cfg  Config
}

// Class names the rate class of every request, per bot: dispatch.Limits
// sets its rate by this name.
const Class = "telegram"

// PerSecond is Telegram's published broadcast rate per bot (about 30
// messages per second), the class's default.
const PerSecond = 30

// Rates implements dispatch.RateLimited: one class for every request, with
// Telegram's gaps between two requests to one chat.
func (s *Sender) Rates() dispatch.Rates {
	return dispatch.Rates{Single: dispatch.RateClass{Name: Class, PerSecond: PerSecond,
		ChatGap: s.cfg.ChatGap, GroupGap: s.cfg.GroupGap}}
}

// Telegram's caption limit; longer card text goes in its own message.
const maxCaption = 1024

// New returns a Sender; it makes no request.
func New(cfg Config) (*Sender, error) {
	if cfg.Client == nil {
		cfg.Client = dispatch.NewHTTPClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ChatGap == 0 {
		cfg.ChatGap = time.Second
	}
	if cfg.GroupGap == 0 {
		cfg.GroupGap = 3 * time.Second
	}
	opts := []bot.Option{bot.WithSkipGetMe(), bot.WithHTTPClient(cfg.Client.Timeout, bufferedClient{cfg.Client}),
		bot.WithErrorsHandler(func(err error) { cfg.Logger.Warn("telegram: client", "error", err) })}
	if cfg.BaseURL != "" {
		opts = append(opts, bot.WithServerURL(strings.TrimSuffix(cfg.BaseURL, "/")))
	}
	b, err := bot.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: new client: %w", err)
	}
	return &Sender{bot: b, text: newTextClient(cfg.BaseURL, cfg.Token, cfg.Client), cfg: cfg}, nil
}

// Send delivers m to its one recipient.
func (s *Sender) Send(ctx context.Context, m *dispatch.Message) (string, error) {
	if len(m.To) != 1 {
		return "", fmt.Errorf("telegram: one recipient per message, got %d", len(m.To))
	}
	to := m.To[0]
	id, err := s.send(ctx, chatID(to.Key.ID), m)
	var mig *bot.MigrateError
	if errors.As(err, &mig) && mig.MigrateToChatID != 0 {
		return s.migrated(ctx, m, to, int64(mig.MigrateToChatID))
	}
	return id, s.translate(err)
}

// migrated handles Telegram's "group chat was upgraded to a supergroup
// chat": the group now has a new ID and the old one takes no messages. The
// inbound side moves the subscriber when the migration update arrives; this
// covers a bot that missed it (offline, or the migration came first).
func (s *Sender) migrated(ctx context.Context, m *dispatch.Message, to dispatch.Recipient, newID int64) (string, error) {
	newKey := herald.SubscriberKey{Platform: herald.Telegram, Account: to.Key.Account, ID: strconv.FormatInt(newID, 10)}
	if s.cfg.Moves != nil {
		_, err := s.cfg.Moves.MoveSubscriber(to.Key, newKey)
		switch {
		case err == nil:
			s.cfg.Logger.Info("telegram: group became a supergroup; subscriber moved",
				"from", to.Key.ID, "to", newKey.ID, "broadcast_id", m.BroadcastID)
			return "", fmt.Errorf("telegram: group %s is now supergroup %s: %w", to.Key.ID, newKey.ID, dispatch.ErrRecipientMoved)
		case !errors.Is(err, herald.ErrNotFound):
			return "", &herald.TemporaryError{Err: fmt.Errorf("telegram: record that group %s is now %s: %w", to.Key.ID, newKey.ID, err)}
		}
		// Not a stored subscriber (a test send): just deliver.
	}
	id, err := s.send(ctx, newID, m)
	return id, s.translate(err)
}

func (s *Sender) send(ctx context.Context, chat any, m *dispatch.Message) (string, error) {
	return s.sendWith(ctx, chat, m, runPostback(m.BroadcastID))
}

// sendWith sends m's content to chat, its action buttons carrying
// postback's data: every request a recipient's message takes is built
// here, for a run, a test send and the admin's preview alike.
func (s *Sender) sendWith(ctx context.Context, chat any, m *dispatch.Message, postback func(herald.Button) string) (string, error) {
	c := &m.Content
	if c.Kind == herald.CarouselContent {
		return s.sendCarousel(ctx, chat, m, postback)
	}
	kb := keyboard(c.Buttons, postback)
	text := Body(c)
	images := s.imageURLs(c)
	captionFits := visibleLen(c) <= maxCaption
	single, rest := shape(images, captionFits, text)
	switch {
	case single && m.FromPart > 0:
		return "", nil // one request, already delivered
	case len(images) == 0:
		return s.text.send(ctx, chat, text, kb, m.LinkPreview)
	case single:
		msg, err := s.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: images[0]},
			Caption: text, ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
		return messageID(msg), err
	}
	// An album (or a photo whose text is too long for a caption): the
	// pictures first, then the text with the buttons, which albums cannot
	// carry. Two parts: a retry after the first sends only the second.
	var first string
	pictures := m.FromPart == 0
	if pictures {
		id, err := s.sendPictures(ctx, chat, images, text, captionFits)
		if err != nil {
			return "", err
		}
		first = id
	}
	if rest == "" && kb == nil {
		return first, nil
	}
	preview := m.LinkPreview // the text's first link, when the text follows
	if rest == "" {
		rest, preview = html.EscapeString(firstNonEmpty(c.Title, "👇")), ""
	}
	send := func() error {
		_, err := s.text.send(ctx, chat, rest, kb, preview)
		return err
	}
	var err error
	if pictures {
		err = m.Paced(ctx, send) // the chat's gap, then the rate limit
	} else {
		err = send() // a retry that starts here: the engine paced it
	}
	if err != nil {
		return first, &dispatch.PartialError{Done: 1, Of: 2, Err: err}
	}
	return first, nil
}

func (s *Sender) sendPictures(ctx context.Context, chat any, images []string, text string, captionFits bool) (string, error) {
	if len(images) == 1 {
		msg, err := s.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: images[0]}})
		return messageID(msg), err
	}
	media := make([]models.InputMedia, len(images))
	for i, u := range images {
		p := &models.InputMediaPhoto{Media: u}
		if i == 0 && captionFits {
			p.Caption, p.ParseMode = text, models.ParseModeHTML
		}
		media[i] = p
	}
	msgs, err := s.bot.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: chat, Media: media})
	if err != nil || len(msgs) == 0 {
		return "", err
	}
	return messageID(msgs[0]), nil
}

// shape says how a message of text (HTML) and images goes out: single is
// one request (the text alone, or one photo with it as caption); else the
// pictures go first and rest is the text that follows them in a message
// of its own ("" when it is the album's caption). captionFits says whether
// the text's visible characters fit a caption.
func shape(images []string, captionFits bool, text string) (single bool, rest string) {
	switch {
	case len(images) == 0 || len(images) == 1 && captionFits:
		return true, ""
	case len(images) > 1 && captionFits:
		return false, "" // the album's caption
	}
	return false, text
}

// Parts implements dispatch.PartCounter: an album or a photo with long
// text takes a second message when text or buttons follow it; a carousel
// takes one message per card.
func (s *Sender) Parts(c *herald.Content) int {
	if c.Kind == herald.CarouselContent {
		return len(c.Cards)
	}
	single, rest := shape(s.imageURLs(c), visibleLen(c) <= maxCaption, "text")
	if single || rest == "" && len(c.Buttons) == 0 {
		return 1
	}
	return 2
}

// visibleLen is how many characters the message's text shows (what
// Telegram's caption limit counts): the text without its tags.
func visibleLen(c *herald.Content) int {
	n := utf8.RuneCountInString(c.Text)
	if c.Kind == herald.CardContent && c.Title != "" {
		n += utf8.RuneCountInString(c.Title) + 2
	}
	return n
}

func (s *Sender) imageURLs(c *herald.Content) []string {
	images := c.Images
	if c.Kind == herald.CardContent && len(images) > 1 {
		images = images[:1] // a card shows one picture
	}
	return dispatch.ImageURLs(images, s.cfg.MediaURL)
}

// runPostback is a run's button data: what ties a tap to the broadcast.
func runPostback(broadcastID string) func(herald.Button) string {
	return func(b herald.Button) string { return herald.EncodePostback(broadcastID, b.ID) }
}

// keyboard renders buttons one per row: URL buttons open the link, action
// buttons carry postback's data.
func keyboard(buttons []herald.Button, postback func(b herald.Button) string) models.ReplyMarkup {
	if len(buttons) == 0 {
		return nil
	}
	rows := make([][]models.InlineKeyboardButton, 0, len(buttons))
	for _, b := range buttons {
		kb := models.InlineKeyboardButton{Text: b.Label}
		if b.Kind == herald.URLButton {
			kb.URL = b.URL
		} else {
			kb.CallbackData = postback(b)
		}
		rows = append(rows, []models.InlineKeyboardButton{kb})
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// chatID is a numeric chat ID, or a channel's @username as is.
func chatID(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}

func messageID(m *models.Message) string {
	if m == nil {
		return ""
	}
	return strconv.Itoa(m.ID)
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// translate turns the SDK's errors into the root's. Transport errors quote
// the request URL, which holds the bot token: it is cut out.
func (s *Sender) translate(err error) error {
	if err == nil {
		return nil
	}
	if partial, ok := err.(*dispatch.PartialError); ok {
		partial.Err = s.translate(partial.Err)
		return partial
	}
	var tooMany *bot.TooManyRequestsError
	var later *dispatch.NotYet
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, &later):
		return err
	case errors.As(err, &tooMany):
		return &herald.RetryAfterError{After: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second, Err: err}
	case errors.Is(err, bot.ErrorForbidden),
		errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found"):
		return fmt.Errorf("telegram: %w: %s", herald.ErrRecipientGone, reason(err))
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized),
		errors.Is(err, bot.ErrorNotFound), errors.Is(err, bot.ErrorConflict):
		return fmt.Errorf("telegram: %s", reason(err))
	}
	msg := strings.ReplaceAll(err.Error(), s.cfg.Token, "<token>")
	return &herald.TemporaryError{Err: errors.New("telegram: " + msg)}
}

// reason is the Bot API's description without the SDK's prefix.
func reason(err error) string {
	s := err.Error()
	if _, after, ok := strings.Cut(s, ", "); ok {
		return after
	}
	return s
}
