package flows

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldbot/herald"
)

// maxImageBytes bounds an uploaded image: every platform takes 5 MiB.
const maxImageBytes = 5 << 20

func askContentKind(t *turn) error {
	ask, keep := t.T("wizard.content.ask"), []Choice(nil)
	if t.sess.Seq != nil {
		ask, keep = t.seqContentAsk()
	}
	t.prompt(ask, ExpectText, append([]Choice{
		t.choice("ct:text", t.T("kind.text")),
		t.choice("ct:images", t.T("kind.images")),
		t.choice("ct:card", t.T("kind.card"))}, keep...)...)
	return nil
}

func handleContentKind(t *turn) error {
	c := &t.sess.Draft.Content
	if c.Kind == herald.CarouselContent && strings.HasPrefix(t.pressed(), "ct:") {
		c.Cards, c.Buttons = nil, nil // the buttons were the cards'
	}
	switch t.pressed() {
	case "ct:text":
		c.Kind = herald.TextContent
		return t.goTo(stepText)
	case "ct:images":
		c.Kind = herald.ImageContent
		return t.goTo(stepImages)
	case "ct:card":
		c.Kind = herald.CardContent
		return t.goTo(stepCardTitle)
	case "sq:keepmsg":
		if t.sess.Seq != nil {
			return t.seqContentDone()
		}
	case "":
		if t.in.File == nil && t.text() != "" {
			// Typed text is the message: no need to say "text" first.
			c.Kind = herald.TextContent
			return t.goToWith(stepText)
		}
	}
	return t.fail(t.T("err.pick_choice"))
}

// askText serves the message text, an image caption and a card's body.
func askText(t *turn) error {
	key := map[string]string{stepText: "wizard.text.ask", stepCaption: "wizard.caption.ask", stepCardText: "wizard.card_text.ask"}[t.sess.Step]
	text := t.T(key) + "\n" + t.T("wizard.text.placeholders") + "\n" + t.T("wizard.text.formatting")
	if cur, spans := t.textField(); *cur != "" {
		text += "\n" + t.T("wizard.current", "Value", asMarkup(herald.Markup(*cur, *spans)))
	}
	var cs []Choice
	if t.sess.Step != stepText {
		cs = append(cs, t.choice(choiceSkip, t.T("btn.skip")))
	}
	t.prompt(text, ExpectText, cs...)
	return nil
}

func handleText(t *turn) error {
	cur, curSpans := t.textField()
	if t.pressed() == choiceSkip && t.sess.Step != stepText {
		*cur, *curSpans = "", nil
		return t.sectionDone(stepButtons)
	}
	if t.pressed() != "" || t.in.File != nil {
		return t.fail(t.T("err.type_text"))
	}
	text, spans, msg := t.typedText()
	if msg != "" {
		return t.fail(msg)
	}
	if n := utf8.RuneCountInString(text); t.sess.Draft.Content.Kind == herald.CarouselContent && n > herald.MaxCardText {
		return t.fail(t.T("err.card.text_long", "Max", herald.MaxCardText, "Len", n))
	}
	*cur, *curSpans = text, spans
	sub, _, err := t.previewRecipient(&t.sess.Draft) // none: the placeholders' fallbacks
	if err != nil {
		return err
	}
	t.say(t.T("wizard.text.preview", "Preview", asMarkup(preview(text, spans, &sub))))
	return t.sectionDone(stepButtons)
}

// textField points at the text the current step edits: the message or
// caption, or the text of the card being made.
func (t *turn) textField() (*string, *[]herald.Span) {
	c := &t.sess.Draft.Content
	if t.sess.Step == stepCardText {
		_, text, spans := cardFields(c)
		return text, spans
	}
	return &c.Text, &c.Spans
}

var braces = regexp.MustCompile(`\{[^{}]*\}?`)

// unknownPlaceholder returns the first {…} the sender would leave as typed.
func unknownPlaceholder(text string) string {
	for _, m := range braces.FindAllString(text, -1) {
		if !strings.HasSuffix(m, "}") {
			return m
		}
		key, _, _ := strings.Cut(strings.Trim(m, "{}"), "|")
		switch {
		case key == "name" || key == "first_name" || key == "id" || key == "platform":
		case strings.HasPrefix(key, "attr.") && len(key) > 5 && !strings.ContainsAny(key, " \t"):
		default:
			return m
		}
	}
	return ""
}

func askImages(t *turn) error {
	c := &t.sess.Draft.Content
	key := "wizard.images.ask"
	if t.sess.Step == stepCardImage {
		key = "wizard.card_image.ask"
	}
	text := t.T(key)
	var cs []Choice
	if t.sess.Step == stepImages && len(c.Images) > 0 {
		text += "\n" + t.N("wizard.images.have", len(c.Images), "Max", herald.MaxImages)
		cs = append(cs, t.choice(choiceDone, t.T("btn.done")), t.choice("img:clear", t.T("btn.clear_images")))
	}
	t.prompt(text, ExpectFile, cs...)
	return nil
}

func handleImages(t *turn) error {
	c := &t.sess.Draft.Content
	card := t.sess.Step == stepCardImage
	switch t.pressed() {
	case choiceDone:
		if len(c.Images) == 0 {
			return t.fail(t.T("err.images.none"))
		}
		return t.goTo(stepCaption)
	case "img:clear":
		c.Images = nil
		return t.ask()
	case "":
	default:
		return t.fail(t.T("err.pick_choice"))
	}
	var im herald.Image
	switch f := t.in.File; {
	case f != nil:
		if !strings.HasPrefix(f.ContentType, "image/") {
			return t.fail(t.T("err.images.not_image", "Name", f.Name))
		}
		if len(f.Data) > maxImageBytes {
			return t.fail(t.T("err.images.too_big", "Name", f.Name, "MaxMB", maxImageBytes>>20))
		}
		id, err := t.e.cfg.Store.PutMedia(f.ContentType, f.Data)
		if err != nil {
			return err
		}
		im.MediaID = id
	case herald.IsHTTPSURL(t.text()):
		im.URL = t.text()
	default:
		return t.fail(t.T("err.images.url"))
	}
	if card {
		setCardImage(c, im)
		return t.goTo(stepCardText)
	}
	if len(c.Images) >= herald.MaxImages {
		return t.fail(t.T("err.images.too_many", "Max", herald.MaxImages))
	}
	c.Images = append(c.Images, im)
	return t.ask()
}

func askCardTitle(t *turn) error {
	text := t.cardHeading() + t.T("wizard.card_title.ask", "Max", herald.MaxTitleLen)
	if cur, _, _ := cardFields(&t.sess.Draft.Content); *cur != "" {
		text += "\n" + t.T("wizard.current", "Value", *cur)
	}
	t.prompt(text, ExpectText)
	return nil
}

func handleCardTitle(t *turn) error {
	title := strings.TrimSpace(t.in.Text)
	switch n := utf8.RuneCountInString(title); {
	case t.pressed() != "" || title == "":
		return t.fail(t.T("err.title.empty"))
	case n > herald.MaxTitleLen:
		return t.fail(t.T("err.title.too_long", "Max", herald.MaxTitleLen, "Len", n))
	}
	cur, _, _ := cardFields(&t.sess.Draft.Content)
	*cur = title
	return t.goTo(stepCardImage)
}

// clicksCounted says whether link clicks are counted: with
// public_base_url, those in the text and on buttons alike.
func (t *turn) clicksCounted() string {
	if t.e.cfg.TrackClicks {
		return t.T("wizard.buttons.clicks_on")
	}
	return t.T("wizard.buttons.clicks_off")
}

func askButtons(t *turn) error {
	d := &t.sess.Draft
	dropUnfinishedCard(&d.Content)
	limit, here := buttonLimitHere(d), t.buttonsHere()
	ask := t.T("wizard.buttons.ask", "Limit", limit)
	if t.sess.Seq != nil {
		ask = t.T("seq.buttons.ask", "N", t.sess.Seq.Index+1, "Limit", limit)
	}
	text := t.buttonsHeading() + ask
	text = t.sentences(text, t.clicksCounted())
	for i, b := range here {
		text += "\n" + strconv.Itoa(i+1) + ". " + t.describeButton(b)
	}
	var cs []Choice
	if len(here) < limit {
		cs = append(cs, t.choice("btn:url", t.T("btn.add_link")), t.choice("btn:action", t.T("btn.add_action")))
	} else {
		text += "\n" + t.T("wizard.buttons.full", "Limit", limit)
	}
	if n := cardCount(&d.Content); n > 0 && n < herald.MaxCards && t.sess.Card == 0 { // else offered with the cards
		cs = append(cs, t.choice(choiceAddCard, t.T("btn.add_card")))
	}
	if len(here) > 0 {
		cs = append(cs, t.choice("btn:clear", t.T("btn.clear_buttons")), t.choice(choiceDone, t.T("btn.continue")))
	} else {
		cs = append(cs, t.choice(choiceDone, t.T("btn.no_buttons")))
	}
	cs = append(cs, t.sendNowOffer(len(here) > 0)...)
	t.prompt(text, ExpectChoice, cs...)
	return nil
}

func (t *turn) describeButton(b herald.Button) string {
	if b.Kind == herald.URLButton {
		return t.T("button.desc.link", "Label", b.Label, "URL", b.URL)
	}
	var does []string
	if len(b.AddTags) > 0 {
		does = append(does, "+"+strings.Join(b.AddTags, " +"))
	}
	if len(b.RemoveTags) > 0 {
		does = append(does, "-"+strings.Join(b.RemoveTags, " -"))
	}
	if len(does) == 0 {
		does = append(does, t.T("button.counts_only"))
	}
	return t.T("button.desc.action", "Label", b.Label, "Does", t.joinList(does))
}

func handleButtons(t *turn) error {
	d := &t.sess.Draft
	switch t.pressed() {
	case "btn:url", "btn:action":
		if limit := buttonLimitHere(d); len(t.buttonsHere()) >= limit {
			return t.fail(t.T("wizard.buttons.full", "Limit", limit))
		}
		t.sess.Button = herald.Button{Kind: herald.URLButton}
		if t.pressed() == "btn:action" {
			t.sess.Button.Kind = herald.ActionButton
		}
		return t.goTo(stepButtonLabel)
	case "btn:clear":
		here := t.buttonsCard()
		d.Content.Buttons = slices.DeleteFunc(d.Content.Buttons, func(b herald.Button) bool {
			return d.Content.Kind != herald.CarouselContent || b.Card == here
		})
		return t.ask()
	case choiceAddCard:
		return handleAddCard(t)
	case choiceSendNow:
		return t.sendNow()
	case choiceDone:
		if d.Audience.HasChannel(herald.Messenger) {
			return t.sectionDone(stepCategory)
		}
		return t.sectionDone(stepTiming)
	}
	return t.fail(t.T("err.pick_choice"))
}

func askButtonLabel(t *turn) error {
	t.prompt(t.T("wizard.button_label.ask", "Max", herald.MaxLabelLen), ExpectText)
	return nil
}

func handleButtonLabel(t *turn) error {
	label := strings.TrimSpace(t.in.Text)
	switch n := utf8.RuneCountInString(label); {
	case t.pressed() != "" || label == "":
		return t.fail(t.T("err.button.label_empty"))
	case n > herald.MaxLabelLen:
		return t.fail(t.T("err.button.label_long", "Max", herald.MaxLabelLen, "Len", n))
	}
	t.sess.Button.Label = label
	if t.sess.Button.Kind == herald.URLButton {
		return t.goTo(stepButtonURL)
	}
	return t.goTo(stepButtonDo)
}

func askButtonURL(t *turn) error {
	t.prompt(t.T("wizard.button_url.ask", "Label", t.sess.Button.Label), ExpectText)
	return nil
}

func handleButtonURL(t *turn) error {
	u := t.text()
	b := t.sess.Button
	b.URL = u
	if t.pressed() != "" || b.Validate() != nil {
		return t.fail(t.T("err.button.url"))
	}
	return t.addButton(b)
}

func (t *turn) addButton(b herald.Button) error {
	c := &t.sess.Draft.Content
	b.ID, b.Card = freeButtonID(c.Buttons), t.buttonsCard()
	c.Buttons = append(c.Buttons, b)
	t.sess.Button = herald.Button{}
	// Back to the button list, not through the label steps again.
	for len(t.sess.History) > 0 && t.sess.History[len(t.sess.History)-1] != stepButtons {
		t.sess.History = t.sess.History[:len(t.sess.History)-1]
	}
	return t.back()
}

func askButtonDo(t *turn) error {
	t.prompt(t.T("wizard.button_action.ask", "Label", t.sess.Button.Label), ExpectText,
		t.choice("act:count", t.T("btn.count_only")))
	return nil
}

func handleButtonDo(t *turn) error {
	b := t.sess.Button
	if t.pressed() == "act:count" {
		return t.addButton(b)
	}
	if t.pressed() != "" || t.text() == "" {
		return t.fail(t.T("err.button.action"))
	}
	for _, part := range strings.Split(t.text(), ",") {
		part = strings.TrimSpace(part)
		low := strings.ToLower(part)
		switch {
		case strings.HasPrefix(low, "tag:") && len(part) > 4:
			b.AddTags = herald.NormalizeTags(append(b.AddTags, part[4:]))
		case strings.HasPrefix(low, "-tag:") && len(part) > 5:
			b.RemoveTags = herald.NormalizeTags(append(b.RemoveTags, part[5:]))
		default:
			return t.fail(t.T("err.button.action"))
		}
	}
	return t.addButton(b)
}

// typedText is the message text the admin typed, with its formatting,
// or what is wrong with it: empty, too long for the channels, or an
// unknown placeholder.
func (t *turn) typedText() (string, []herald.Span, string) {
	text, spans := t.formatted()
	if text == "" {
		return "", nil, t.T("err.text.empty")
	}
	if msg := t.textTooLong(&t.sess.Draft, text); msg != "" {
		return "", nil, msg
	}
	if bad := unknownPlaceholder(text); bad != "" {
		return "", nil, t.T("err.text.placeholder", "Placeholder", bad)
	}
	return text, spans, ""
}

// textTooLong says, when text is longer than d's channels take,
// how long it is and what fits; "" when it fits.
func (t *turn) textTooLong(d *herald.Broadcast, text string) string {
	if n, limit := utf8.RuneCountInString(text), d.TextLimit(); n > limit {
		return t.T("err.text.too_long", "Max", FormatCount(limit), "Len", FormatCount(n))
	}
	return ""
}
