package telegram

import (
	"strings"
	"testing"
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
