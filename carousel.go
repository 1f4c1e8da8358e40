package herald

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Carousel limits: Messenger's generic template takes 10 elements of at
// most 3 buttons and an 80-character subtitle; LINE's Flex carousel takes
// 12 bubbles. The smallest of each is Herald's, so one carousel fits
// everywhere.
const (
	MaxCards       = 10
	MaxCardButtons = 3
	MaxCardText    = 80
)

// Card is one card of a carousel: a picture, a title and a short text;
// its buttons are the content's buttons whose Card is its index.
type Card struct {
	Title string
	Text  string
	Spans []Span // format Text
	Image Image
}

// CardButtons returns the buttons under card i of a carousel.
func (c *Content) CardButtons(i int) []Button {
	var out []Button
	for _, b := range c.Buttons {
		if b.Card == i {
			out = append(out, b)
		}
	}
	return out
}

// MostButtons is the most buttons one message of the content carries: a
// carousel's fullest card, or all of them otherwise. Channels' button
// limits (Platform.MaxButtons) apply to it.
func (c *Content) MostButtons() int {
	if c.Kind != CarouselContent {
		return len(c.Buttons)
	}
	most := 0
	for i := range c.Cards {
		most = max(most, len(c.CardButtons(i)))
	}
	return most
}

// validTitle checks a card's title; field names it in the error.
func validTitle(field, title string) error {
	if strings.TrimSpace(title) == "" {
		return invalid(field, CodeRequired, 0)
	}
	if utf8.RuneCountInString(title) > MaxTitleLen {
		return invalid(field, CodeTooLong, MaxTitleLen)
	}
	return nil
}

// validateCards checks a carousel: 1 to MaxCards cards, each with a title,
// short text and at most MaxCardButtons buttons; every button under a card.
func (c *Content) validateCards() error {
	switch {
	case len(c.Cards) == 0:
		return invalid("content.cards", CodeRequired, 0)
	case len(c.Cards) > MaxCards:
		return invalid("content.cards", CodeTooMany, MaxCards)
	}
	for i, card := range c.Cards {
		if err := validTitle("content.cards.title", card.Title); err != nil {
			return err
		}
		if utf8.RuneCountInString(card.Text) > MaxCardText {
			return invalid("content.cards.text", CodeTooLong, MaxCardText)
		}
		if !ValidSpans(card.Text, card.Spans) {
			return invalid("content.cards.spans", CodeInvalid, 0)
		}
		if card.Image.MediaID == "" && card.Image.URL != "" && !IsHTTPSURL(card.Image.URL) {
			return invalid("content.cards.image", CodeInvalid, 0)
		}
		if len(c.CardButtons(i)) > MaxCardButtons {
			return invalid("content.cards.buttons", CodeTooMany, MaxCardButtons)
		}
	}
	if slices.ContainsFunc(c.Buttons, func(b Button) bool { return b.Card < 0 || b.Card >= len(c.Cards) }) {
		return invalid("content.buttons.card", CodeInvalid, 0)
	}
	return nil
}

// Personalized reports whether any of the content's words have
// placeholders, so that each recipient gets their own copy.
func (c *Content) Personalized() bool {
	if Personalized(c.Text) || Personalized(c.Title) {
		return true
	}
	return slices.ContainsFunc(c.Cards, func(k Card) bool { return Personalized(k.Title) || Personalized(k.Text) })
}

// PersonalizeFor fills the content's placeholders for s (see Personalize),
// moving formatting with the words. Content without placeholders is
// returned as it is, sharing its slices; otherwise Spans and Cards are new.
func (c Content) PersonalizeFor(s *Subscriber) Content {
	c.Text, c.Spans = PersonalizeFormatted(c.Text, c.Spans, s)
	c.Title = Personalize(c.Title, s)
	if slices.ContainsFunc(c.Cards, func(k Card) bool { return strings.Contains(k.Title+k.Text, "{") }) {
		c.Cards = slices.Clone(c.Cards)
		for i := range c.Cards {
			k := &c.Cards[i]
			k.Title = Personalize(k.Title, s)
			k.Text, k.Spans = PersonalizeFormatted(k.Text, k.Spans, s)
		}
	}
	return c
}
