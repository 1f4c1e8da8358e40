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
// being made is always the carousel's last. From the summary, Buttons on a
// carousel of several cards first asks which card's buttons to change
// (session.Card); the Buttons step names the card it edits.

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

// buttonsCard is the index of the card whose buttons the Buttons step
// edits (the Button.Card of the buttons added now): the card the admin
// picked (session.Card), else the card being made, a carousel's last; 0
// for content that is no carousel.
func (t *turn) buttonsCard() int {
	c := &t.sess.Draft.Content
	if c.Kind != herald.CarouselContent || len(c.Cards) == 0 {
		return 0
	}
	if n := t.sess.Card; n > 0 && n <= len(c.Cards) {
		return n - 1
	}
	return len(c.Cards) - 1
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

// buttonsHere are the buttons the Buttons step edits: the card's (see
// buttonsCard), or all of them for content that is not a carousel.
func (t *turn) buttonsHere() []herald.Button {
	c := &t.sess.Draft.Content
	if c.Kind != herald.CarouselContent {
		return c.Buttons
	}
	return c.CardButtons(t.buttonsCard())
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
// subtitle) and its buttons few, so a first card with a long text or more
// buttons is refused with the limit.
func handleAddCard(t *turn) error {
	c := &t.sess.Draft.Content
	if cardCount(c) >= herald.MaxCards {
		return t.fail(t.T("wizard.cards.full", "Max", herald.MaxCards))
	}
	_, text, _ := cardFields(c)
	if n := utf8.RuneCountInString(*text); n > herald.MaxCardText {
		return t.fail(t.T("err.card.text_long", "Max", herald.MaxCardText, "Len", n))
	}
	if n := len(c.Buttons); c.Kind == herald.CardContent && n > herald.MaxCardButtons {
		return t.fail(t.T("err.card.buttons_many", "Max", herald.MaxCardButtons, "Count", n))
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
	t.sess.Card = 0 // its buttons are the new card's
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

// buttonsHeading names the card whose buttons the Buttons step edits in
// a carousel ("Buttons of card 2 of 3, “Scarf”"); "" for other content.
func (t *turn) buttonsHeading() string {
	c := &t.sess.Draft.Content
	if c.Kind != herald.CarouselContent || len(c.Cards) == 0 {
		return ""
	}
	i := t.buttonsCard()
	return t.T("wizard.cards.buttons_of", "N", i+1, "Count", len(c.Cards), "Title", c.Cards[i].Title) + "\n"
}

// choicePickCard+N picks card N (from 1) for the Buttons step.
const choicePickCard = "btncard:"

// editStep is the step an edit button of the summary (or /edit ID FIELD)
// opens: on a carousel of several cards, Buttons first asks which card's.
func editStep(choice string, c *herald.Content) (string, bool) {
	step, ok := editTargets[choice]
	if step == stepButtons && c.Kind == herald.CarouselContent && len(c.Cards) > 1 {
		step = stepButtonsCard
	}
	return step, ok
}

// askButtonsCard asks whose buttons to change in a carousel: the cards
// with their buttons, one choice per card, and another card.
func askButtonsCard(t *turn) error {
	c := &t.sess.Draft.Content
	text := t.T("wizard.buttons.which_card", "Limit", buttonLimitHere(&t.sess.Draft))
	var cs []Choice
	for i, k := range c.Cards {
		cs = append(cs, t.choice(choicePickCard+strconv.Itoa(i+1), strconv.Itoa(i+1)+". "+k.Title))
	}
	for _, l := range t.describeCards(c) {
		text += "\n  " + l
	}
	if len(c.Cards) < herald.MaxCards {
		cs = append(cs, t.choice(choiceAddCard, t.T("btn.add_card")))
	}
	t.prompt(text, ExpectChoice, cs...)
	return nil
}

func handleButtonsCard(t *turn) error {
	if t.pressed() == choiceAddCard {
		return handleAddCard(t)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(t.pressed(), choicePickCard))
	if !strings.HasPrefix(t.pressed(), choicePickCard) || err != nil || n < 1 || n > len(t.sess.Draft.Content.Cards) {
		return t.fail(t.T("err.pick_choice"))
	}
	t.sess.Card = n
	return t.goTo(stepButtons)
}

// describeCards lists a carousel's cards for the summary, each with its
// picture, text and buttons.
func (t *turn) describeCards(c *herald.Content) []string {
	var out []string
	for i, k := range c.Cards {
		line := strconv.Itoa(i+1) + ". " + k.Title
		if k.Text != "" {
			line += " — " + asMarkup(preview(k.Text, k.Spans, nil))
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
// (which Slack shows formatted, once marked with asMarkup): personalised for sub, or as written when
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
