package inbound

import (
	"slices"
	"strings"
	"unicode"
)

// KeywordSet is one language's subscription keywords and the confirmations
// sent back in that language.
type KeywordSet struct {
	Locale     string   // BCP 47, e.g. "zh-TW"
	Stop       []string // e.g. STOP, UNSUBSCRIBE
	Start      []string // e.g. START, SUBSCRIBE
	StopReply  string
	StartReply string
	// Welcome greets a new subscriber where the platform has no greeting
	// of its own (Telegram's /start).
	Welcome string
}

// DefaultKeywords are used when the configuration names none.
func DefaultKeywords() []KeywordSet {
	return []KeywordSet{
		{Locale: "en", Stop: []string{"STOP", "UNSUBSCRIBE"}, Start: []string{"START", "SUBSCRIBE"},
			StopReply:  "You are unsubscribed and will get no more broadcasts. Send START to subscribe again.",
			StartReply: "You are subscribed again. Send STOP to unsubscribe.",
			Welcome:    "Welcome! You will get our news here. Send STOP to unsubscribe."},
		{Locale: "zh-TW", Stop: []string{"退訂", "取消訂閱"}, Start: []string{"訂閱"},
			StopReply:  "已取消訂閱，之後不會再收到推播。傳送「訂閱」即可重新訂閱。",
			StartReply: "已重新訂閱。傳送「退訂」即可取消。",
			Welcome:    "歡迎！我們會在這裡通知您最新消息。傳送「退訂」即可取消訂閱。"},
		{Locale: "zh-CN", Stop: []string{"退订", "取消订阅"}, Start: []string{"订阅"},
			StopReply:  "已取消订阅，之后不会再收到推送。发送「订阅」即可重新订阅。",
			StartReply: "已重新订阅。发送「退订」即可取消。",
			Welcome:    "欢迎！我们会在这里通知您最新消息。发送「退订」即可取消订阅。"},
		{Locale: "ja", Stop: []string{"配信停止"}, Start: []string{"配信開始"},
			StopReply:  "配信を停止しました。「配信開始」と送ると再開します。",
			StartReply: "配信を再開しました。「配信停止」と送ると停止します。",
			Welcome:    "ご登録ありがとうございます。「配信停止」と送ると配信を停止します。"},
	}
}

// Keywords matches whole messages against every language's keywords, so a
// user may write STOP whatever their language.
type Keywords struct {
	sets  []KeywordSet
	words map[string]keywordHit
}

type keywordHit struct {
	kind Kind
	set  int
}

// NewKeywords indexes sets; an empty list means DefaultKeywords.
func NewKeywords(sets []KeywordSet) *Keywords {
	if len(sets) == 0 {
		sets = DefaultKeywords()
	}
	k := &Keywords{sets: sets, words: map[string]keywordHit{}}
	for i, s := range sets {
		for _, w := range s.Stop {
			k.words[foldKeyword(w)] = keywordHit{Unsubscribe, i}
		}
		for _, w := range s.Start {
			k.words[foldKeyword(w)] = keywordHit{Subscribe, i}
		}
	}
	return k
}

// Match reports whether text is a keyword, and which kind and language.
func (k *Keywords) Match(text string) (kind Kind, locale string, ok bool) {
	if len(text) > 64 { // keywords are short; don't fold long messages
		return "", "", false
	}
	hit, ok := k.words[foldKeyword(text)]
	if !ok {
		return "", "", false
	}
	return hit.kind, k.sets[hit.set].Locale, true
}

// Reply is the confirmation of kind in the best language for locales (tried
// in order, exact tag first, then the base language), else the first set's.
func (k *Keywords) Reply(kind Kind, locales ...string) string {
	set := k.sets[0]
	if i, ok := k.find(locales); ok {
		set = k.sets[i]
	}
	switch kind {
	case Unsubscribe:
		return set.StopReply
	case Subscribe:
		return set.StartReply
	}
	return ""
}

// Welcome is the greeting for a new subscriber in the best language.
func (k *Keywords) Welcome(locales ...string) string {
	if i, ok := k.find(locales); ok {
		return k.sets[i].Welcome
	}
	return k.sets[0].Welcome
}

func (k *Keywords) find(locales []string) (int, bool) {
	for _, loc := range locales {
		if loc == "" {
			continue
		}
		for i, s := range k.sets {
			if strings.EqualFold(s.Locale, loc) {
				return i, true
			}
		}
		base, _, _ := strings.Cut(loc, "-")
		for i, s := range k.sets {
			sb, _, _ := strings.Cut(s.Locale, "-")
			if strings.EqualFold(sb, base) {
				return i, true
			}
		}
	}
	return 0, false
}

// foldKeyword makes "  Stop! ", "ＳＴＯＰ" and "stop" the same word: trimmed,
// full-width ASCII narrowed, trailing punctuation dropped, upper-cased.
func foldKeyword(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			return r - 0xFEE0
		}
		if r == 0x3000 {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimRightFunc(strings.TrimSpace(s), func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSpace(r)
	})
	return strings.ToUpper(s)
}

// WithStopWords returns base with each locale's Stop words replaced by the
// configured ones (config: inbound.unsubscribe_keywords); a locale base
// lacks is added with English confirmations.
func WithStopWords(base []KeywordSet, stop map[string][]string) []KeywordSet {
	out := slices.Clone(base)
	for locale, words := range stop {
		i := slices.IndexFunc(out, func(s KeywordSet) bool { return strings.EqualFold(s.Locale, locale) })
		if i < 0 {
			en := DefaultKeywords()[0]
			out = append(out, KeywordSet{Locale: locale, StopReply: en.StopReply, StartReply: en.StartReply, Welcome: en.Welcome})
			i = len(out) - 1
		}
		out[i].Stop = slices.Clone(words)
	}
	return out
}
