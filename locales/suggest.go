package locales

import (
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// shipped are the catalogs as language tags, in the order of Languages.
var shipped = []language.Tag{language.English, language.MustParse("zh-TW"), language.MustParse("zh-CN"), language.Japanese}

// matcher picks a shipped catalog for a tag of the same language.
var matcher = language.NewMatcher(shipped)

// languageNames are names admins write instead of a code, each mapped to
// its catalog; a typo of one ("japanse") is a near miss too.
var languageNames = map[string]string{
	"japanese": "ja", "nihongo": "ja", "日本語": "ja",
	"英語": "en", "英语": "en", "英文": "en",
	"traditional chinese": "zh-TW", "繁體中文": "zh-TW", "繁体中文": "zh-TW", "正體中文": "zh-TW",
	"simplified chinese": "zh-CN", "简体中文": "zh-CN", "簡體中文": "zh-CN",
	// Like Match's "zh": Chinese without a script is the simplified catalog.
	"chinese": "zh-CN", "中文": "zh-CN",
}

// Suggest names the shipped catalog an admin probably meant when Match
// does not know what they typed ("en-AU", "jpn", "zh-SG", "japanese",
// "Japanse"), or "" when nothing is near ("fr"), so /lang can offer it
// instead of only listing the languages.
func Suggest(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if tag, err := language.Parse(s); err == nil {
		_, i, conf := matcher.Match(tag)
		base, _ := tag.Base()
		want, _ := shipped[i].Base()
		if conf >= language.High && base == want {
			return Languages[i]
		}
	}
	if n := Nearest(s, slices.Sorted(maps.Keys(languageNames))); n != "" {
		return languageNames[n]
	}
	return ""
}

// Nearest returns the candidate closest to what someone typed when it is
// plausibly a typo of it, else "": the "did you mean" of config keys,
// languages and time zones. Plausibly: at most max(2, a third of s) edits
// (ignoring case, counted in characters), and fewer than half of the longer
// word, so that "fr" is no typo of "en". Of equally near candidates the one
// listed first wins.
func Nearest(s string, candidates []string) string {
	s = strings.ToLower(s)
	n := utf8.RuneCountInString(s)
	best, bestD, bestLen := "", 0, 0
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := editDistance(s, lc)
		if best == "" || d < bestD {
			best, bestD, bestLen = c, d, utf8.RuneCountInString(lc)
		}
	}
	if best == "" || bestD > max(2, n/3) || 2*bestD >= max(n, bestLen) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
