package flows

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldbot/herald"
)

// A carousel is built one card at a time: the card steps (title, picture,
// text, buttons) fill the card being made, and the buttons step offers
// "➕ Add another card". The first card is an ordinary card; adding a
// second turns the content into a carousel, and from then on the card
// being made is always the carousel's last.

const choiceAddCard = "card:add"

// cardFields points at the title, text and formatting of the card being
// made: the content's own for a single card, the last card's in a
// carousel.
func cardFields(c *herald.Content) (title, text *string, spans *[]herald.Span) {
	if c.Kind == herald.CarouselContent && len(c.Cards) > 0 {
		k := &c.Cards[len(c.Cards)-1]
		return &k.Title, &k.Text, &k.Spans
	}
	return &c.Title, &c.Text, &c.Spans
}

// cardIndex is the index of the card being made (the Button.Card of the
// buttons added now).
func cardIndex(c *herald.Content) int {
	if c.Kind == herald.CarouselContent && len(c.Cards) > 0 {
		return len(c.Cards) - 1
	}
	return 0
}

// setCardImage sets the picture of the card being made.
func setCardImage(c *herald.Content, im herald.Image) {
	if c.Kind == herald.CarouselContent && len(c.Cards) > 0 {
		c.Cards[len(c.Cards)-1].Image = im
		return
	}
	c.Images = []herald.Image{im}
}

// cardCount is how many cards the content has (0 when it is no card).
func cardCount(c *herald.Content) int {
	switch c.Kind {
	case herald.CarouselContent:
		return len(c.Cards)
	case herald.CardContent:
		return 1
	}
	return 0
}

// buttonsHere are the buttons of the card being made (all of them for
// content that is not a carousel).
func buttonsHere(c *herald.Content) []herald.Button {
	if c.Kind != herald.CarouselContent {
		return c.Buttons
	}
	return c.CardButtons(cardIndex(c))
}

// buttonLimitHere is how many buttons the card being made may have.
func buttonLimitHere(d *herald.Broadcast) int {
	if d.Content.Kind == herald.CarouselContent {
		return min(d.ButtonLimit(), herald.MaxCardButtons)
	}
	return d.ButtonLimit()
}

// handleAddCard starts another card: a single card becomes the first card
// of a carousel. A carousel card's text must be short (Messenger's
// subtitle), so a long first text is refused with the limit.
func handleAddCard(t *turn) error {
	c := &t.sess.Draft.Content
	if cardCount(c) >= herald.MaxCards {
		return t.fail(t.T("wizard.cards.full", "Max", herald.MaxCards))
	}
	_, text, _ := cardFields(c)
	if n := utf8.RuneCountInString(*text); n > herald.MaxCardText {
		return t.fail(t.T("err.card.text_long", "Max", herald.MaxCardText, "Len", n))
	}
	if c.Kind == herald.CardContent {
		first := herald.Card{Title: c.Title, Text: c.Text, Spans: c.Spans}
		if len(c.Images) > 0 {
			first.Image = c.Images[0]
		}
		c.Kind, c.Cards = herald.CarouselContent, []herald.Card{first}
		c.Title, c.Text, c.Spans, c.Images = "", "", nil, nil
	}
	c.Cards = append(c.Cards, herald.Card{})
	return t.goTo(stepCardTitle)
}

// dropUnfinishedCard removes a carousel's last card when the admin went
// back before giving it a title, with any buttons it got.
func dropUnfinishedCard(c *herald.Content) {
	if c.Kind != herald.CarouselContent || len(c.Cards) < 2 || strings.TrimSpace(c.Cards[len(c.Cards)-1].Title) != "" {
		return
	}
	last := len(c.Cards) - 1
	c.Cards = c.Cards[:last]
	kept := c.Buttons[:0]
	for _, b := range c.Buttons {
		if b.Card != last {
			kept = append(kept, b)
		}
	}
	c.Buttons = kept
}

// cardHeading names the card being made in a carousel ("Card 3 of up to
// 10"); "" for a single card.
func (t *turn) cardHeading() string {
	c := &t.sess.Draft.Content
	if c.Kind != herald.CarouselContent {
		return ""
	}
	return t.T("wizard.cards.heading", "N", len(c.Cards), "Max", herald.MaxCards) + "\n"
}

// describeCards lists a carousel's cards for the summary, each with its
// picture, text and buttons.
func (t *turn) describeCards(c *herald.Content) []string {
	var out []string
	for i, k := range c.Cards {
		line := strconv.Itoa(i+1) + ". " + k.Title
		if k.Text != "" {
			line += " — " + preview(k.Text, k.Spans, nil)
		}
		if k.Image.URL != "" || k.Image.MediaID != "" {
			line += " 🖼"
		}
		out = append(out, line)
		for _, b := range c.CardButtons(i) {
			out = append(out, "   ["+t.describeButton(b)+"]")
		}
	}
	return out
}

// preview is formatted text as the wizard shows it, in Herald's markup
// (which Slack shows formatted): personalised for sub, or as written when
// sub is nil (the summary's real preview shows it personalised).
func preview(text string, spans []herald.Span, sub *herald.Subscriber) string {
	if sub != nil {
		text, spans = herald.PersonalizeFormatted(text, spans, sub)
	}
	return herald.Markup(text, spans)
}

// freeButtonID is the next "bN" no button has: IDs stay unique in a
// carousel whose cards' buttons were cleared in between.
func freeButtonID(bs []herald.Button) string {
	for n := len(bs) + 1; ; n++ {
		id := "b" + strconv.Itoa(n)
		if !slices.ContainsFunc(bs, func(b herald.Button) bool { return b.ID == id }) {
			return id
		}
	}
}

// formatted is the text the admin typed with its formatting: the
// platform's own (Telegram's entities) or Herald's markup read from it.
func (t *turn) formatted() (string, []herald.Span) {
	if t.in.Formatted {
		return herald.TrimFormatted(t.in.Text, t.in.Spans)
	}
	return herald.ParseMarkup(strings.TrimSpace(t.in.Text), t.in.Frontend == "slack")
}

// richNotes say how formatting and carousels arrive on each chosen
// channel: LINE and Messenger show no inline styles, and Telegram has no
// carousel.
func (t *turn) richNotes(d *herald.Broadcast) []string {
	c := &d.Content
	var notes []string
	formatted := len(c.Spans) > 0 || slices.ContainsFunc(c.Cards, func(k herald.Card) bool { return len(k.Spans) > 0 })
	var plain []string
	for _, p := range []herald.Platform{herald.LINE, herald.Messenger} {
		if d.Audience.HasChannel(p) {
			plain = append(plain, PlatformName(p))
		}
	}
	if formatted && len(plain) > 0 {
		notes = append(notes, t.T("degrade.formatting_plain", "Channels", t.joinList(plain)))
	}
	if len(c.TextLinks()) > 0 {
		notes = append(notes, t.clicksCounted())
	}
	if c.Kind == herald.CarouselContent && d.Audience.HasChannel(herald.Telegram) {
		notes = append(notes, t.N("degrade.telegram_carousel", len(c.Cards)))
	}
	return notes
}
