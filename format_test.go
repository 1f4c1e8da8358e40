package herald

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseMarkup(t *testing.T) {
	for _, tc := range []struct {
		in, text string
		spans    []Span
		slack    bool
	}{
		{in: "plain 2*3*4 snake_case_name", text: "plain 2*3*4 snake_case_name"},
		{in: "Hi *you* and _me_", text: "Hi you and me", spans: []Span{{3, 6, Bold, ""}, {11, 13, Italic, ""}}},
		{in: "*bold _both_*", text: "bold both", spans: []Span{{5, 9, Italic, ""}, {0, 9, Bold, ""}}},
		{in: "run `go test` now", text: "run go test now", spans: []Span{{4, 11, Code, ""}}},
		{in: "```\nline 1\nline *2*\n```", text: "line 1\nline *2*", spans: []Span{{0, 15, Pre, ""}}},
		{in: "see <https://x.example/a?b=1&amp;c=2|our site> &amp; more", slack: true,
			text: "see our site & more", spans: []Span{{4, 12, Link, "https://x.example/a?b=1&c=2"}}},
		{in: "<https://x.example>", text: "https://x.example", spans: []Span{{0, 17, Link, "https://x.example"}}},
		{in: "not a link <b> * alone", text: "not a link <b> * alone"},
		{in: "see https://x.example/_a_/*b* now", text: "see https://x.example/_a_/*b* now"},
		{in: "*日本語*です", text: "日本語です", spans: []Span{{0, 9, Bold, ""}}},
	} {
		text, spans := ParseMarkup(tc.in, tc.slack)
		if text != tc.text || !cmp.Equal(spans, tc.spans) {
			t.Errorf("ParseMarkup(%q) = %q %v, want %q %v", tc.in, text, spans, tc.text, tc.spans)
		}
		if !ValidSpans(text, spans) {
			t.Errorf("ParseMarkup(%q): invalid spans %v", tc.in, spans)
		}
		if tc.slack {
			continue
		}
		again, _ := ParseMarkup(Markup(text, spans), false)
		if again != text {
			t.Errorf("Markup(%q) does not read back: %q", tc.in, again)
		}
	}
}

// Markup for Slack's mrkdwn escapes the words and link targets but not
// the marks, so Slack shows the formatting and reads back the same text.
func TestMarkupEscapedReadsBackAsSlackSendsIt(t *testing.T) {
	text, spans := ParseMarkup("*Fish & <chips>* at <https://x.example/a?b=1&c=2|our shop>", false)
	got := MarkupEscaped(text, spans, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace)
	if want := "*Fish &amp; &lt;chips&gt;* at <https://x.example/a?b=1&amp;c=2|our shop>"; got != want {
		t.Errorf("MarkupEscaped = %q, want %q", got, want)
	}
	if again, againSpans := ParseMarkup(got, true); again != text || !cmp.Equal(againSpans, spans) {
		t.Errorf("read back as Slack sends it: %q %v, want %q %v", again, againSpans, text, spans)
	}
}

func TestPlainText(t *testing.T) {
	text, spans := ParseMarkup("*Sale* at <https://shop.example|our shop> and <https://shop.example>", false)
	got := PlainText(text, spans)
	want := "Sale at our shop (https://shop.example) and https://shop.example"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

func TestPersonalizeMovesSpans(t *testing.T) {
	text, spans := ParseMarkup("👋 Hi *{name|there}*, see <https://x.example|{first_name}'s page> _today_", false)
	c := Content{Kind: TextContent, Text: text, Spans: spans}
	got := c.PersonalizeFor(&Subscriber{Name: "Zoë Quinn"})
	if want := "👋 Hi *Zoë Quinn*, see <https://x.example|Zoë's page> _today_"; Markup(got.Text, got.Spans) != want {
		t.Errorf("personalised = %q, want %q", Markup(got.Text, got.Spans), want)
	}
	fallback := c.PersonalizeFor(&Subscriber{})
	if want := "👋 Hi *there*, see <https://x.example|'s page> _today_"; Markup(fallback.Text, fallback.Spans) != want {
		t.Errorf("fallback = %q, want %q", Markup(fallback.Text, fallback.Spans), want)
	}
	if Markup(c.Text, c.Spans) != "👋 Hi *{name|there}*, see <https://x.example|{first_name}'s page> _today_" {
		t.Error("PersonalizeFor changed the broadcast's own spans")
	}
}

func TestWalkSpansNestsOverlaps(t *testing.T) {
	// bold over "abcd", italic over "cdef": italic closes and opens again.
	got := Markup("abcdef", []Span{{0, 4, Bold, ""}, {2, 6, Italic, ""}})
	if want := "*ab_cd_*_ef_"; got != want {
		t.Errorf("Markup = %q, want %q", got, want)
	}
}

func TestCarouselValidate(t *testing.T) {
	c := Content{Kind: CarouselContent, Cards: []Card{{Title: "A"}, {Title: "B", Text: "short"}},
		Buttons: []Button{{ID: "b1", Label: "Go", Kind: URLButton, URL: "https://x.example", Card: 1}}}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid carousel: %v", err)
	}
	c.Buttons[0].Card = 2
	if err := c.Validate(); err == nil {
		t.Error("a button under a card that does not exist was accepted")
	}
	c.Buttons[0].Card = 0
	c.Cards = make([]Card, MaxCards+1)
	for i := range c.Cards {
		c.Cards[i].Title = "x"
	}
	if err := c.Validate(); err == nil {
		t.Errorf("%d cards were accepted", len(c.Cards))
	}
}

// Whatever an admin types, the markup reader gives spans that fit the
// text, and writing them back reads as the same words.
func FuzzParseMarkup(f *testing.F) {
	for _, s := range []string{"*a _b_ c*", "```x```", "<https://x.example|y> &amp; `z`", "_*_*", "*日本*語", "a*b*c"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, slack bool) {
		if !utf8.ValidString(in) {
			return // chat platforms send UTF-8
		}
		text, spans := ParseMarkup(in, slack)
		if !ValidSpans(text, spans) {
			t.Fatalf("ParseMarkup(%q) = %q with spans %v that do not fit", in, text, spans)
		}
		// A link whose words are an address shows the address it opens
		// instead (PlainText), which may be shorter.
		addressWords := slices.ContainsFunc(spans, func(s Span) bool { return s.Style == Link && webURL(strings.TrimSpace(text[s.Start:s.End])) })
		if plain := PlainText(text, spans); len(plain) < len(text) && !addressWords {
			t.Fatalf("PlainText(%q) = %q lost words", text, plain)
		}
		if again, _ := ParseMarkup(Markup(text, spans), false); !slack && again == "" && text != "" {
			t.Fatalf("Markup(%q) reads back empty", text)
		}
	})
}
