package api

import (
	"maps"
	"strconv"

	"github.com/heraldbot/herald"
)

type contentJSON struct {
	Kind string `json:"kind"`
	Text string `json:"text,omitempty"`
	// Markup is the text with its formatting in Herald's markup: read
	// instead of Text when given, written when the text is formatted.
	Markup  string       `json:"markup,omitempty"`
	Title   string       `json:"title,omitempty"`
	Images  []imageJSON  `json:"images,omitempty"`
	Cards   []cardJSON   `json:"cards,omitempty"`
	Buttons []buttonJSON `json:"buttons,omitempty"`
}

// cardJSON is one card of a carousel with its own buttons.
type cardJSON struct {
	Title   string       `json:"title"`
	Text    string       `json:"text,omitempty"`
	Markup  string       `json:"markup,omitempty"`
	Image   *imageJSON   `json:"image,omitempty"`
	Buttons []buttonJSON `json:"buttons,omitempty"`
}

type imageJSON struct {
	URL     string `json:"url,omitempty"`
	MediaID string `json:"media_id,omitempty"`
}

type buttonJSON struct {
	ID         string            `json:"id,omitempty"`
	Label      string            `json:"label"`
	Kind       string            `json:"kind"`
	URL        string            `json:"url,omitempty"`
	AddTags    []string          `json:"add_tags,omitempty"`
	RemoveTags []string          `json:"remove_tags,omitempty"`
	SetAttrs   map[string]string `json:"set_attrs,omitempty"`
}

// toDomain converts content and gives buttons without an ID one ("b1",
// "b2", …): taps are counted per ID, which must fit a postback.
// A carousel's buttons are listed under their cards and numbered across
// all of them.
func (c contentJSON) toDomain() (herald.Content, error) {
	out := herald.Content{Kind: herald.ContentKind(c.Kind), Title: c.Title}
	out.Text, out.Spans = readText(c.Text, c.Markup)
	for _, im := range c.Images {
		out.Images = append(out.Images, herald.Image{URL: im.URL, MediaID: im.MediaID})
	}
	seen := map[string]bool{}
	add := func(b buttonJSON, card int) error {
		id := b.ID
		if id == "" {
			id = "b" + strconv.Itoa(len(out.Buttons)+1)
		}
		if !herald.ValidButtonID(id) || seen[id] {
			return &herald.ValidationError{Field: "content.buttons.id", Code: herald.CodeInvalid}
		}
		seen[id] = true
		out.Buttons = append(out.Buttons, herald.Button{ID: id, Label: b.Label, Kind: herald.ButtonKind(b.Kind),
			URL: b.URL, AddTags: herald.NormalizeTags(b.AddTags), RemoveTags: herald.NormalizeTags(b.RemoveTags),
			SetAttrs: maps.Clone(b.SetAttrs), Card: card})
		return nil
	}
	for _, b := range c.Buttons {
		if err := add(b, 0); err != nil {
			return out, err
		}
	}
	for i, k := range c.Cards {
		card := herald.Card{Title: k.Title}
		card.Text, card.Spans = readText(k.Text, k.Markup)
		if k.Image != nil {
			card.Image = herald.Image{URL: k.Image.URL, MediaID: k.Image.MediaID}
		}
		out.Cards = append(out.Cards, card)
		for _, b := range k.Buttons {
			if err := add(b, i); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// readText is text and its formatting from the API: markup when given
// (Herald's markup), else text as it is.
func readText(text, markup string) (string, []herald.Span) {
	if markup != "" {
		return herald.ParseMarkup(markup, false)
	}
	return text, nil
}

func toContentJSON(c herald.Content) contentJSON {
	out := contentJSON{Kind: string(c.Kind), Text: c.Text, Title: c.Title}
	if len(c.Spans) > 0 {
		out.Markup = herald.Markup(c.Text, c.Spans)
	}
	for _, im := range c.Images {
		out.Images = append(out.Images, imageJSON{URL: im.URL, MediaID: im.MediaID})
	}
	for i, k := range c.Cards {
		card := cardJSON{Title: k.Title, Text: k.Text}
		if len(k.Spans) > 0 {
			card.Markup = herald.Markup(k.Text, k.Spans)
		}
		if k.Image != (herald.Image{}) {
			card.Image = &imageJSON{URL: k.Image.URL, MediaID: k.Image.MediaID}
		}
		for _, b := range c.CardButtons(i) {
			card.Buttons = append(card.Buttons, toButtonJSON(b))
		}
		out.Cards = append(out.Cards, card)
	}
	if c.Kind != herald.CarouselContent {
		for _, b := range c.Buttons {
			out.Buttons = append(out.Buttons, toButtonJSON(b))
		}
	}
	return out
}

func toButtonJSON(b herald.Button) buttonJSON {
	return buttonJSON{ID: b.ID, Label: b.Label, Kind: string(b.Kind), URL: b.URL,
		AddTags: b.AddTags, RemoveTags: b.RemoveTags, SetAttrs: b.SetAttrs}
}
