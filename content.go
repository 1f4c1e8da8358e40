package herald

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// ContentKind is the shape of a broadcast's message.
type ContentKind string

// Content kinds.
const (
	TextContent  ContentKind = "text"
	ImageContent ContentKind = "images" // one or more images, with optional caption
	CardContent  ContentKind = "card"   // image + title + text + buttons
	// CarouselContent is up to MaxCards cards side by side (Content.Cards).
	CarouselContent ContentKind = "carousel"
)

// Limits on content, the smallest of the platforms' own so one message fits
// everywhere, except text: MaxTextLen is the longest any channel takes
// (LINE's 5,000), and a broadcast's own channels set its limit (see
// Broadcast.TextLimit and Platform.MaxText).
const (
	MaxTextLen   = 5000
	MaxTitleLen  = 80 // Messenger generic template title
	MaxImages    = 10 // Telegram media group
	MaxLabelLen  = 20 // LINE action label
	MaxButtonMax = 8
)

// Image is a picture in a broadcast: a public HTTPS URL, or a file an admin
// uploaded, stored by Herald under MediaID and served from its own URL.
type Image struct {
	URL     string
	MediaID string
}

// Content is what a broadcast says.
type Content struct {
	Kind ContentKind
	// Text is the message, caption or card body; it may carry placeholders
	// such as {name} or {attr.city|friend} (see Personalize).
	Text string
	// Spans format Text (bold, links…); none for text typed plain, and
	// for broadcasts stored before formatting existed.
	Spans  []Span
	Title  string // cards only
	Images []Image
	// Cards are a carousel's cards, in order; the top-level Title, Text
	// and Images are unused then.
	Cards []Card
	// Buttons are every button of the broadcast, under whichever card
	// (Button.Card) for a carousel: taps, clicks and tracked links count
	// them by ID and position in this one list.
	Buttons []Button
}

// ButtonKind separates link buttons from action buttons.
type ButtonKind string

// Button kinds.
const (
	URLButton    ButtonKind = "url"
	ActionButton ButtonKind = "action"
)

// Button is one button under a broadcast message.
type Button struct {
	// ID is stable within the broadcast; taps are counted per ID and it is
	// the postback payload's key.
	ID    string
	Label string
	Kind  ButtonKind
	URL   string // URL buttons
	// Card is the index of the carousel card the button sits under (0
	// for any other content).
	Card int
	// Action buttons: what a tap does to the subscriber who tapped.
	AddTags    []string
	RemoveTags []string
	SetAttrs   map[string]string
}

// Validate checks content against Herald's cross-platform limits.
func (c *Content) Validate() error {
	switch c.Kind {
	case TextContent:
		if strings.TrimSpace(c.Text) == "" {
			return invalid("content.text", CodeRequired, 0)
		}
	case ImageContent:
		if len(c.Images) == 0 {
			return invalid("content.images", CodeRequired, 0)
		}
	case CardContent:
		if err := validTitle("content.title", c.Title); err != nil {
			return err
		}
	case CarouselContent:
		if err := c.validateCards(); err != nil {
			return err
		}
	default:
		return invalid("content.kind", CodeInvalid, 0)
	}
	if utf8.RuneCountInString(c.Text) > MaxTextLen {
		return invalid("content.text", CodeTooLong, MaxTextLen)
	}
	if !ValidSpans(c.Text, c.Spans) {
		return invalid("content.spans", CodeInvalid, 0)
	}
	if len(c.Images) > MaxImages {
		return invalid("content.images", CodeTooMany, MaxImages)
	}
	for _, im := range c.Images {
		if im.MediaID == "" && !IsHTTPSURL(im.URL) {
			return invalid("content.images.url", CodeInvalid, 0)
		}
	}
	if c.Kind != CarouselContent && len(c.Buttons) > MaxButtonMax {
		return invalid("content.buttons", CodeTooMany, MaxButtonMax)
	}
	for _, b := range c.Buttons {
		if err := b.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks one button.
func (b *Button) Validate() error {
	switch {
	case strings.TrimSpace(b.Label) == "":
		return invalid("content.buttons.label", CodeRequired, 0)
	case utf8.RuneCountInString(b.Label) > MaxLabelLen:
		return invalid("content.buttons.label", CodeTooLong, MaxLabelLen)
	case b.Kind == URLButton && !IsHTTPSURL(b.URL) && !strings.HasPrefix(b.URL, "http://"):
		return invalid("content.buttons.url", CodeInvalid, 0)
	case b.Kind != URLButton && b.Kind != ActionButton:
		return invalid("content.buttons.kind", CodeInvalid, 0)
	}
	return nil
}

// IsHTTPSURL reports whether s is an absolute https URL with a host, the only
// kind LINE and Messenger accept for images.
func IsHTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

var placeholder = regexp.MustCompile(`\{([a-z_]+(?:\.[\p{L}\p{N}_-]+)?)(?:\|([^{}]*))?\}`)

// Personalized reports whether text has placeholders, in which case each
// recipient gets their own copy (LINE cannot multicast it).
func Personalized(text string) bool { return placeholder.MatchString(text) }

// Personalize fills placeholders from the subscriber: {name}, {first_name},
// {id}, {platform}, {attr.KEY}; "|fallback" is used when the value is empty,
// e.g. "Hi {name|there}". Unknown placeholders are left as typed so an
// admin's preview shows the mistake.
func Personalize(text string, s *Subscriber) string {
	if !strings.Contains(text, "{") {
		return text
	}
	ms := placeholder.FindAllStringSubmatchIndex(text, -1)
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m[0]])
		b.WriteString(placeholderValue(text, m, s))
		last = m[1]
	}
	return b.String() + text[last:]
}

// placeholderValue is what one placeholder match m (submatch indexes into
// text) becomes for s.
func placeholderValue(text string, m []int, s *Subscriber) string {
	key := text[m[2]:m[3]]
	var fallback string
	if m[4] >= 0 {
		fallback = text[m[4]:m[5]]
	}
	var v string
	switch {
	case key == "name":
		v = s.Name
	case key == "first_name":
		v, _, _ = strings.Cut(strings.TrimSpace(s.Name), " ")
	case key == "id":
		v = s.ID
	case key == "platform":
		v = string(s.Platform)
	case strings.HasPrefix(key, "attr."):
		v = s.Attributes[strings.TrimPrefix(key, "attr.")]
	default:
		return text[m[0]:m[1]]
	}
	if v == "" {
		return fallback
	}
	return v
}
