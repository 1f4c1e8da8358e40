package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// An admin builds a two-card carousel in the console with formatted text,
// then a card typed in Telegram with its entities; the summary says how
// each channel shows it, and the stored broadcast keeps cards, formatting
// and which card each button sits under.
func TestWizardCarouselWithFormatting(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.TrackClicks = true })
	h.walkTo(stepContentKind) // on LINE and Telegram
	h.press("ct:card")
	h.send("Boots")
	h.send("https://cdn.example.com/boots.jpg")
	mustContain(t, h.send("*Warm* boots for {name|you}, <https://shop.example/boots|see them>"),
		"Preview: *Warm* boots for User U000, <https://shop.example/boots|see them>")
	h.press("btn:action")
	h.send("Want")
	h.press("act:count")
	rs := h.press(choiceAddCard)
	mustContain(t, rs, "Card 2 (up to 10)")
	h.send("Scarf")
	h.send("https://cdn.example.com/scarf.jpg")
	// Typed in Telegram: "🧣 Soft and warm" with "Soft" in bold (UTF-16
	// offsets became byte offsets at the Telegram edge).
	h.do(Input{Text: "🧣 Soft and warm", Formatted: true, Spans: []herald.Span{{Start: 5, End: 9, Style: herald.Bold}}})
	h.press("btn:url")
	h.send("Shop")
	rs = h.send("https://shop.example/scarf")
	if !h.offered("btn:url") || !strings.Contains(joined(rs), "1. Shop") || strings.Contains(joined(rs), "Want") {
		t.Errorf("the second card's buttons step should list only its own button:\n%s", joined(rs))
	}
	h.press(choiceDone)
	h.press("tm:now")
	rs = h.press("op:hold")
	mustContain(t, rs, "🎠 Carousel", "1. Boots — *Warm* boots for {name|you}", "2. Scarf — 🧣 *Soft* and warm",
		"LINE: no bold, italic or code there", "Telegram has no carousels: each card arrives as its own message",
		"Link clicks in the text and on buttons are counted")
	h.press("sum:confirm")

	b := h.stored()
	c := b.Content
	if c.Kind != herald.CarouselContent || len(c.Cards) != 2 || c.Title != "" || len(c.Images) != 0 {
		t.Fatalf("content = %+v, want a carousel of two cards", c)
	}
	if got := herald.Markup(c.Cards[0].Text, c.Cards[0].Spans); got != "*Warm* boots for {name|you}, <https://shop.example/boots|see them>" {
		t.Errorf("card 1 text = %q", got)
	}
	if got := herald.Markup(c.Cards[1].Text, c.Cards[1].Spans); got != "🧣 *Soft* and warm" || c.Cards[1].Image.URL == "" {
		t.Errorf("card 2 = %q %+v", got, c.Cards[1])
	}
	if len(c.Buttons) != 2 || c.Buttons[0].Card != 0 || c.Buttons[1].Card != 1 || c.Buttons[0].ID == c.Buttons[1].ID {
		t.Errorf("buttons = %+v, want one under each card", c.Buttons)
	}
	if err := b.Validate(); err != nil {
		t.Errorf("stored carousel does not validate: %v", err)
	}
}

// singleCard walks to a single card on LINE and Telegram, with a title,
// a picture and text, and stops at its buttons.
func (h *harness) singleCard(text string) {
	h.t.Helper()
	h.walkTo(stepContentKind)
	h.press("ct:card")
	h.send("Title")
	h.send("https://cdn.example.com/a.jpg")
	h.send(text)
}

// A first card with text too long for a carousel card is refused when the
// admin adds a second card, with the limit; the card stays as it was.
func TestWizardAddCardRefusesLongText(t *testing.T) {
	h := newHarness(t)
	h.singleCard(strings.Repeat("long ", 20))
	mustContain(t, h.press(choiceAddCard), "at most 80 characters", "this one has 99")
	if c := h.session().Draft.Content; c.Kind != herald.CardContent || len(c.Cards) != 0 {
		t.Errorf("content = %+v, want the single card unchanged", c)
	}
}

// A first card with more buttons than a carousel card takes (on LINE and
// Telegram a single card takes 4) is refused a second card, with the
// limit, instead of a carousel that fails at Confirm.
func TestWizardAddCardRefusesTooManyButtons(t *testing.T) {
	h := newHarness(t)
	h.singleCard("Short")
	for _, label := range []string{"A", "B", "C", "D"} {
		h.press("btn:action")
		h.send(label)
		h.press("act:count")
	}
	mustContain(t, h.press(choiceAddCard), "A carousel card takes at most 3 buttons", "this card has 4")
	if c := h.session().Draft.Content; c.Kind != herald.CardContent || len(c.Buttons) != 4 {
		t.Errorf("content = %+v, want the single card with its 4 buttons", c)
	}
}

// The Buttons step of a carousel names the card whose buttons it edits;
// from the summary it first asks which card, shows each card with its
// buttons, and edits only the picked card's. Back leads to the cards;
// the summary shows the buttons under their cards.
func TestWizardCarouselButtonsPerCard(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepContentKind) // on LINE and Telegram
	h.script.Reset()
	h.press("ct:card")
	h.send("Boots")
	h.send("https://cdn.example.com/boots.jpg")
	h.send("Warm boots")
	h.press("btn:action")
	h.send("Want")
	h.press("act:count")
	h.press(choiceAddCard)
	h.send("Scarf")
	h.send("https://cdn.example.com/scarf.jpg")
	mustContain(t, h.send("Soft and warm"), "Buttons of card 2 of 2, “Scarf”")
	h.press(choiceDone)
	h.press("tm:now")
	h.press("op:hold")

	mustContain(t, h.press("ed:buttons"), "Which card's buttons", "1. Boots — Warm boots 🖼\n     [Want → counts taps]\n  2. Scarf — Soft and warm 🖼")
	h.wantStep(stepButtonsCard)
	rs := h.press(choicePickCard + "1")
	mustContain(t, rs, "Buttons of card 1 of 2, “Boots”", "1. Want")
	if h.offered(choiceAddCard) {
		t.Errorf("the picked card's buttons offer another card; the card list does")
	}
	h.press("btn:url")
	h.send("Shop")
	mustContain(t, h.send("https://shop.example/boots"), "Buttons of card 1 of 2, “Boots”", "1. Want", "2. Shop")
	h.press(choiceBack)
	h.wantStep(stepButtonsCard)
	if rs := h.press(choicePickCard + "2"); !strings.Contains(joined(rs), "Buttons of card 2 of 2, “Scarf”") || strings.Contains(joined(rs), "Want") {
		t.Errorf("card 2's buttons step should name it and list none of card 1's:\n%s", joined(rs))
	}
	mustContain(t, h.press(choiceDone), "1. Boots — Warm boots 🖼\n     [Want → counts taps]\n     [Shop → https://shop.example/boots]\n  2. Scarf")
	h.golden("wizard_carousel_buttons")

	c := h.session().Draft.Content
	if len(c.Buttons) != 2 || c.Buttons[0].Card != 0 || c.Buttons[1].Card != 0 || c.Buttons[1].Label != "Shop" {
		t.Errorf("buttons = %+v, want Want and Shop under the first card", c.Buttons)
	}
	if h.session().Card != 0 {
		t.Errorf("back at the summary, the session still edits card %d", h.session().Card)
	}
}

// Named flows ("flow:signup") were never real and are gone: the action
// step neither offers them nor takes one, and says what it does take;
// nothing half-made is stored on the button.
func TestButtonActionRefusesANamedFlow(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepButtons)
	h.press("btn:action")
	rs := h.send("Join")
	if got := joined(rs); strings.Contains(got, "flow") {
		t.Errorf("the action step offers named flows:\n%s", got)
	}
	mustContain(t, h.send("tag:member, flow:signup"), "Type what a tap does, e.g. “tag:interested”")
	h.wantStep(stepButtonDo)
	h.send("tag:member")
	if bs := h.session().Draft.Content.Buttons; len(bs) != 1 || bs[0].Label != "Join" || len(bs[0].AddTags) != 1 {
		t.Errorf("buttons = %+v, want Join adding the tag member", bs)
	}
}

// The summary of a message with a link in its text says whether its
// clicks are counted: with public_base_url they are, like link buttons';
// without it, they can't be.
func TestSummarySaysWhetherTextLinksAreCounted(t *testing.T) {
	for tracked, want := range map[bool]string{
		true:  "Link clicks in the text and on buttons are counted",
		false: "Link clicks can't be counted (public_base_url is not set)",
	} {
		h := newHarness(t, func(c *Config) { c.TrackClicks = tracked })
		h.send("/new")
		h.send("Winter sale")
		h.press("ch:telegram")
		h.press(choiceDone)
		h.press(choiceDone)
		h.press("ct:text")
		h.send("Sale today: https://shop.example/sale")
		h.press(choiceDone)
		rs := h.press("tm:now")
		h.wantStep(stepSummary)
		mustContain(t, rs, want)
	}
}
