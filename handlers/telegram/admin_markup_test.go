package telegram

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
)

// Where a reply quotes the message (the summary), Telegram shows its
// formatting, its link a link; /help's syntax examples stay as written.
func TestAdminShowsTheMessagesFormattingAndHelpAsWritten(t *testing.T) {
	r := newAdminRig(t)
	r.push(r.message(alice, "/help", nil))
	if help := r.last("Formatting in messages"); !strings.Contains(help.Text, "*bold*, _italic_") ||
		!strings.Contains(help.Text, "<https://example.com|link words>") || len(help.Entities) != 0 {
		t.Errorf("/help's syntax examples are not shown as written: %q %+v", help.Text, help.Entities)
	}
	r.push(r.message(alice, `/new "Hi *there*, see <https://shop.example/sale|Winter sale> & more" to everyone on line at 2099-12-01 09:00`, nil))
	sum := r.last("Summary of")
	if !strings.Contains(sum.Text, "\n  Hi there, see Winter sale & more\n") {
		t.Errorf("the summary quotes the message as %q, want its words formatted", sum.Text)
	}
	var bold, link bool
	for _, e := range sum.Entities {
		bold = bold || e.Type == "bold"
		link = link || e.Type == "text_link" && e.URL == "https://shop.example/sale"
	}
	if !bold || !link {
		t.Errorf("the summary's entities %+v, want the message's bold and its link", sum.Entities)
	}
}

// Telegram counts entity offsets in UTF-16 units: after an emoji (two
// units) and CJK text (one unit, three bytes) the spans must land on the
// same words in Go's bytes.
func TestEntitiesBecomeSpansOnTheSameWords(t *testing.T) {
	text := "🎉 セール *now* <b> at shop"
	entities := []models.MessageEntity{
		{Type: models.MessageEntityTypeBold, Offset: 3, Length: 3},                                   // セール
		{Type: models.MessageEntityTypeItalic, Offset: 7, Length: 5},                                 // *now*
		{Type: models.MessageEntityTypeTextLink, Offset: 20, Length: 4, URL: "https://shop.example"}, // shop
		{Type: models.MessageEntityTypeMention, Offset: 0, Length: 2},
		{Type: models.MessageEntityTypeCode, Offset: 13, Length: 3}, // <b>
	}
	got := spans(text, entities)
	if md := herald.Markup(text, got); md != "🎉 *セール* _*now*_ `<b>` at <https://shop.example|shop>" {
		t.Errorf("spans %v read as %q", got, md)
	}
	want := []herald.Span{{Start: 5, End: 14, Style: herald.Bold}, {Start: 15, End: 20, Style: herald.Italic},
		{Start: 28, End: 32, Style: herald.Link, URL: "https://shop.example"}, {Start: 21, End: 24, Style: herald.Code}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}

// In a group an admin may address Herald by name: the mention is cut out
// of the text and the formatting stays on its words.
func TestMentionIsCutAndFormattingStays(t *testing.T) {
	text := "@herald_bot Sale ends @herald_bot today"
	sp := []herald.Span{{Start: 12, End: 16, Style: herald.Bold}, {Start: 22, End: 39, Style: herald.Italic}}
	got, gotSpans := herald.TrimFormatted(withoutMention(text, sp, "@herald_bot"))
	if md := herald.Markup(got, gotSpans); md != "*Sale* ends _ today_" {
		t.Errorf("without the mention: %q", md)
	}
}
