package herald

import (
	"strings"
	"testing"
)

func TestPersonalize(t *testing.T) {
	s := &Subscriber{Platform: LINE, ID: "U42", Name: "  Mei Lin Chen", Attributes: map[string]string{"city": "Taipei", "city-zh": "臺北", "empty": ""}}
	anon := &Subscriber{Platform: Telegram, ID: "7"}
	tests := []struct {
		text string
		s    *Subscriber
		want string
	}{
		{"Hello", s, "Hello"},
		{"Hi {name}!", s, "Hi   Mei Lin Chen!"},
		{"Hi {first_name}!", s, "Hi Mei!"},
		{"{id} on {platform}", s, "U42 on line"},
		{"See you in {attr.city}", s, "See you in Taipei"},
		{"{attr.city-zh}見", s, "臺北見"},
		{"Hi {name|there}", anon, "Hi there"},
		{"Hi {first_name|friend}", anon, "Hi friend"},
		{"In {attr.city|your city}", anon, "In your city"},
		{"{attr.empty|nothing}", s, "nothing"},
		{"Hi {name}", anon, "Hi "},                            // no fallback: empty
		{"Hi {nmae}, {name}", s, "Hi {nmae},   Mei Lin Chen"}, // unknown left as typed
		{"{unknown|fallback}", s, "{unknown|fallback}"},
		{"{Name}", s, "{Name}"}, // placeholders are lower case
		{"{ name }", s, "{ name }"},
		{"price {5}", s, "price {5}"},
	}
	for _, tt := range tests {
		if got := Personalize(tt.text, tt.s); got != tt.want {
			t.Errorf("Personalize(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	if Personalized("plain {5} text") || !Personalized("Hi {name|there}") || !Personalized("{attr.x}") {
		t.Error("Personalized disagrees with the placeholders Personalize fills")
	}
}

func TestContentValidate(t *testing.T) {
	tests := []struct {
		name  string
		c     Content
		field string
	}{
		{"text", Content{Kind: TextContent, Text: "Hi"}, ""},
		{"blank text", Content{Kind: TextContent, Text: "  "}, "content.text"},
		{"text at the limit", Content{Kind: TextContent, Text: strings.Repeat("字", MaxTextLen)}, ""},
		{"text too long", Content{Kind: TextContent, Text: strings.Repeat("a", MaxTextLen+1)}, "content.text"},
		{"no kind", Content{Text: "Hi"}, "content.kind"},
		{"images", Content{Kind: ImageContent, Images: []Image{{URL: "https://x.example/a.png"}, {MediaID: "m1"}}}, ""},
		{"no images", Content{Kind: ImageContent}, "content.images"},
		{"http image", Content{Kind: ImageContent, Images: []Image{{URL: "http://x.example/a.png"}}}, "content.images.url"},
		{"too many images", Content{Kind: ImageContent, Images: make([]Image, MaxImages+1)}, "content.images"},
		{"card", Content{Kind: CardContent, Title: "Sale", Text: "50% off"}, ""},
		{"card without title", Content{Kind: CardContent, Text: "x"}, "content.title"},
		{"card title too long", Content{Kind: CardContent, Title: strings.Repeat("t", MaxTitleLen+1)}, "content.title"},
		{"buttons", Content{Kind: TextContent, Text: "x", Buttons: []Button{{Label: "Open", Kind: URLButton, URL: "https://x.example"}, {Label: "Yes", Kind: ActionButton}}}, ""},
		{"button without label", Content{Kind: TextContent, Text: "x", Buttons: []Button{{Kind: ActionButton}}}, "content.buttons.label"},
		{"button label too long", Content{Kind: TextContent, Text: "x", Buttons: []Button{{Label: strings.Repeat("l", MaxLabelLen+1), Kind: ActionButton}}}, "content.buttons.label"},
		{"url button with a bad URL", Content{Kind: TextContent, Text: "x", Buttons: []Button{{Label: "Go", Kind: URLButton, URL: "javascript:alert(1)"}}}, "content.buttons.url"},
		{"button of no kind", Content{Kind: TextContent, Text: "x", Buttons: []Button{{Label: "Go"}}}, "content.buttons.kind"},
		{"too many buttons", Content{Kind: TextContent, Text: "x", Buttons: make([]Button, MaxButtonMax+1)}, "content.buttons"},
	}
	for _, tt := range tests {
		assertField(t, tt.name, tt.c.Validate(), tt.field)
	}
}
