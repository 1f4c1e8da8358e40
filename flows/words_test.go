package flows

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// asciiWord finds words in Latin letters that are not part of an ID, a
// command, a term, a placeholder, a zone or an address.
var asciiWord = regexp.MustCompile(`(?:^|[^\w/:{.@=|\[-])([A-Za-z][a-z]+(?:[ '][a-z]+)*)(?:$|[^\w/:}.@=|\]-])`)

// untranslated lists the Latin-letter words in a reply that are not names
// or the syntax admins type (which stays the same in every language).
func untranslated(text string) []string {
	allowed := []string{"LINE", "Telegram", "Messenger", "Slack", "Herald", "Asia", "Taipei", "cron", "until", "times",
		"every", "day", "monday", "daily", "weekdays", "friday", "to", "on", "at", "now", "named", "quiet", "off",
		"tag", "vip", "churned", "user", "tz", "line", "telegram", "messenger", "active", "inactive", "attr", "city",
		"name", "first", "there", "users", "groups", "both", "everyone", "exists", "x", "new"}
	// What the admin typed is theirs to write in any language.
	text = strings.NewReplacer("Winter sale", "", "Hi {name|there}, 20% off today!", "", "Hi User U000, 20% off today!", "").Replace(text)
	var out []string
	for _, m := range asciiWord.FindAllStringSubmatch(text, -1) {
		for _, w := range strings.Fields(m[1]) {
			if !slices.Contains(allowed, w) && !slices.Contains(allowed, strings.ToLower(w)) {
				out = append(out, m[1])
				break
			}
		}
	}
	return out
}

// A user-visible string that bypasses the catalogue shows up as English in
// a Japanese or Chinese conversation: walk the wizard and the commands in
// each and look for Latin words that are not names, IDs or typed syntax.
func TestNoEnglishInOtherLanguages(t *testing.T) {
	for _, lang := range []string{"ja", "zh-CN", "zh-TW"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			var seen []Reply
			keep := func(rs []Reply) { seen = append(seen, rs...) }
			keep(h.send("/lang " + lang))
			h.walkTo(stepTiming)
			keep(h.press("tm:at"))
			keep(h.send("2027-02-31 09:00"))
			keep(h.send("明天 09:00"))
			keep(h.press("op:hold"))
			keep(h.press("sum:confirm"))
			id := h.stored().ID
			for _, cmd := range []string{"/help", "/list", "/show " + id, "/audience tag:vip", "/new \"x\" at 1999-01-01 09:00"} {
				keep(h.send(cmd))
			}
			for _, r := range seen {
				if bad := untranslated(r.Text); len(bad) > 0 {
					t.Errorf("English in %s: %q in\n%s", lang, bad, r.Text)
				}
			}
		})
	}
}
