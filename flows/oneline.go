package flows

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldbot/herald"
)

// The one-line /new syntax, for people who know what they want:
//
//	/new "Flash sale today!" to tag:vip,-tag:churned on telegram,line at 2026-12-01 09:00 user-tz
//
// Clauses after the quoted text, each optional and in any order:
//
//	to TERMS      tag:T  -tag:T  active:7d  inactive:30d  attr:city=Taipei
//	              tapped:B-7K2Q  tapped:B-7K2Q/b1  -tapped:B-7K2Q
//	              users  groups  both  everyone   (comma separated)
//	on CHANNELS   line,telegram,messenger
//	at WHEN       2026-12-01 09:00 · tomorrow 9am · in 2 hours · 明天 09:00
//	              (anything the wizard reads), then optionally user-tz
//	now           send after the undo delay
//	every SPEC    day 09:00 · weekday 18:30 · monday 09:00 · "0 9 * * 1-5"
//	              then optionally until 2027-03-06 or 10 times (10次, 10回)
//	quiet WINDOW  22:00-07:00 (each recipient's local time) · off
//	              (default: the bot's quiet hours)
//	sample SIZE   10% (a random 10%) · 250 or max 250 (at most 250, at random);
//	              also 最多 250, 上限 250, 250人 (see sampleWords)
//	holdout P%    everyone but a random P% control group
//	ab "B" … P% WAIT  an A/B test: variant B's text (then C's, D's, quoted),
//	              each variant's share and the wait (10% 4h; see oneline_sampling.go)
//	named "NAME"  the broadcast's name (default: the start of the text)
//
// The sampling clauses' words have Japanese and Chinese forms too
// (clauseAliases), and a repeat's end reads 2027-03-06まで and 直到 2027-03-06.

// parseError is a syntax mistake at a byte offset of the source.
type parseError struct {
	Pos  int
	Key  string
	Args []any
	// Text, when set, is the message already in the admin's language.
	Text string
}

// oneLine is a parsed /new line.
type oneLine struct {
	Text     string
	Name     string
	Terms    []term
	Channels []herald.Platform
	// Accounts are the "on" clause's accounts ("line:shop"), each also
	// in Channels; resolved against the bot's (resolveOnAccounts).
	Accounts []accountWord
	Timing   string // "", "now", "at", "user", "every"
	At       string // as typed, for "at" and "user"; readWhen reads it
	AtPos    int
	Cron     string
	// End is how a recurring broadcast stops, as typed ("until
	// 2027-03-06", "10 times"; parseRecurringEnd reads it in the admin's
	// zone); "" repeats for ever.
	End    string
	EndPos int
	// Quiet is the broadcast's own quiet hours (a window, or off); nil
	// keeps the bot's default.
	Quiet *herald.QuietHours
	// Sample is the audience's sample, without its seed; nil: everyone.
	Sample *herald.Sample
	// AB is the A/B test ("ab"), without its seed; nil: none.
	AB *abLine
}

// term is one targeting criterion.
type term struct {
	pos        int
	include    string
	exclude    string
	activity   *herald.Activity
	attr       *herald.AttrCondition
	recipients herald.RecipientKind
	everyone   bool
	response   *herald.Response
}

type token struct {
	s      string
	pos    int
	quoted bool
}

// lineParser reads tokens from src; it never panics on any input (fuzzed).
type lineParser struct {
	src  string
	toks []token
	i    int
}

func (p *lineParser) tokenize() *parseError {
	s := p.src
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
		case r == '"' || r == '“' || r == '「':
			closer := map[rune]string{'"': `"`, '“': "”", '「': "」"}[r]
			end := strings.Index(s[i+w:], closer)
			if r == '"' && end < 0 {
				end = strings.Index(s[i+w:], "”")
			}
			if end < 0 {
				return &parseError{Pos: i, Key: "err.syntax.unclosed_quote"}
			}
			p.toks = append(p.toks, token{s: s[i+w : i+w+end], pos: i, quoted: true})
			_, cw := utf8.DecodeRuneInString(s[i+w+end:])
			i += w + end + cw
		default:
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsSpace(r2) {
					break
				}
				j += w2
			}
			p.toks = append(p.toks, splitGlued(token{s: s[i:j], pos: i})...)
			i = j
		}
	}
	return nil
}

func (p *lineParser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{pos: len(p.src)}, false
}

var clauseWords = []string{"to", "on", "at", "now", "every", "quiet", "named", "sample", "holdout", "ab"}

func isClause(tk token) bool { return clauseWord(tk) != "" }

// parseOneLine parses the arguments of /new (without "/new").
func parseOneLine(src string) (*oneLine, *parseError) {
	p := &lineParser{src: src}
	if err := p.tokenize(); err != nil {
		return nil, err
	}
	first, ok := p.peek()
	if !ok || !first.quoted {
		return nil, &parseError{Pos: first.pos, Key: "err.syntax.text_first"}
	}
	if strings.TrimSpace(first.s) == "" {
		return nil, &parseError{Pos: first.pos, Key: "err.syntax.text_empty"}
	}
	out := &oneLine{Text: first.s}
	p.i++
	seen := map[string]bool{}
	for {
		tk, ok := p.peek()
		if !ok {
			break
		}
		word := clauseWord(tk)
		if word == "" {
			return nil, &parseError{Pos: tk.pos, Key: "err.syntax.unknown_word", Args: []any{"Word", tk.s}}
		}
		if isSampling(word) && (out.Sample != nil || out.AB != nil) {
			return nil, &parseError{Pos: tk.pos, Key: "err.syntax.sample_twice", Args: []any{"Word", tk.s}}
		}
		if seen[word] || (isTiming(word) && out.Timing != "") {
			return nil, &parseError{Pos: tk.pos, Key: "err.syntax.twice", Args: []any{"Word", tk.s}}
		}
		seen[word] = true
		p.i++
		var err *parseError
		switch word {
		case "to":
			out.Terms, err = p.clauseTerms(tk)
		case "on":
			out.Channels, out.Accounts, err = p.clauseChannels(tk)
		case "now":
			out.Timing = "now"
		case "at":
			err = p.clauseAt(tk, out)
		case "every":
			err = p.clauseEvery(tk, out)
		case "quiet":
			err = p.clauseQuiet(tk, out)
		case "sample", "holdout":
			err = p.clauseSample(tk, out)
		case "ab":
			err = p.clauseAB(tk, out)
		case "named":
			n, ok := p.peek()
			if !ok || !n.quoted {
				return nil, &parseError{Pos: n.pos, Key: "err.syntax.name_quoted"}
			}
			out.Name = strings.TrimSpace(n.s)
			p.i++
		}
		if err != nil {
			return nil, err
		}
	}
	if out.Name == "" {
		out.Name = defaultName(out.Text)
	}
	return out, nil
}

// isTiming reports whether a clause word says when to send: only one may.
func isTiming(word string) bool {
	return word == "at" || word == "now" || word == "every"
}

// isSampling reports whether a clause word sets the sample (an A/B
// test draws its own): only one may.
func isSampling(word string) bool { return word == "sample" || word == "holdout" || word == "ab" }

// defaultName is the first words of the text, short enough for lists.
func defaultName(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= 40 {
		return text
	}
	r := []rune(text)
	return strings.TrimSpace(string(r[:40])) + "…"
}

// caret renders src with a caret under byte offset pos, counting wide
// (CJK) characters as two columns so the caret lines up in a monospace font.
func caret(src string, pos int) string {
	pos = max(0, min(pos, len(src)))
	col := 0
	for _, r := range src[:pos] {
		col++
		if isWide(r) {
			col++
		}
	}
	return src + "\n" + strings.Repeat(" ", col) + "^"
}

func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) || (r >= 0xFF01 && r <= 0xFF60) || (r >= 0x3000 && r <= 0x303F)
}
