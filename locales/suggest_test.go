package locales

import "testing"

func TestSuggestNamesTheCatalogMeant(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"en-AU", "en"}, {"eng", "en"}, {"英語", "en"},
		{"jpn", "ja"}, {"japanese", "ja"}, {"Japanse", "ja"}, {"日本", "ja"},
		{"zh-SG", "zh-CN"}, {"chinese", "zh-CN"}, {"中文", "zh-CN"}, {"simplified chinese", "zh-CN"},
		{"zh-MO", "zh-TW"}, {"zh-Hant-HK", "zh-TW"}, {"繁體中文", "zh-TW"},
		{"fr", ""}, {"de", ""}, {"klingon", ""}, {"tlh", ""}, {"pt-BR", ""}, {"", ""},
	} {
		if got := Suggest(tc.in); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNearestIsATypoOrNothing(t *testing.T) {
	zones := []string{"Asia/Tokyo", "Asia/Taipei", "Europe/London", "UTC"}
	for _, tc := range []struct {
		in   string
		list []string
		want string
	}{
		{"asia/tokio", zones, "Asia/Tokyo"},
		{"Europe/Londn", zones, "Europe/London"},
		{"Mars/Olympus", zones, ""},
		{"UTV", zones, "UTC"},
		{"fr", []string{"en", "ja"}, ""},
		{"telgram", []string{"slack", "telegram"}, "telegram"},
		{"x", nil, ""},
	} {
		if got := Nearest(tc.in, tc.list); got != tc.want {
			t.Errorf("Nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
