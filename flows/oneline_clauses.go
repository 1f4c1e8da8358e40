package flows

import (
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// tokens are a clause's words with their positions.
type tokens []token

// text is the words joined by single spaces.
func (g tokens) text() string {
	words := make([]string, len(g))
	for i, tk := range g {
		words[i] = tk.s
	}
	return strings.Join(words, " ")
}

// group collects the tokens up to the next clause word.
func (p *lineParser) group(after token) (tokens, *parseError) {
	var g tokens
	for {
		tk, ok := p.peek()
		if !ok || isClause(tk) {
			break
		}
		g = append(g, tk)
		p.i++
	}
	if len(g) == 0 {
		tk, _ := p.peek()
		return nil, &parseError{Pos: tk.pos, Key: "err.syntax.missing", Args: []any{"Word", after.s}}
	}
	return g, nil
}

// pieces splits tokens on commas, keeping each piece's position.
func pieces(g []token) []token {
	var out []token
	for _, tk := range g {
		off := 0
		for _, part := range strings.Split(tk.s, ",") {
			if strings.TrimSpace(part) != "" {
				out = append(out, token{s: part, pos: tk.pos + off})
			}
			off += len(part) + 1
		}
	}
	return out
}

func (p *lineParser) clauseTerms(after token) ([]term, *parseError) {
	g, err := p.group(after)
	if err != nil {
		return nil, err
	}
	var terms []term
	for _, pc := range pieces(g) {
		tm, err := parseTerm(pc)
		if err != nil {
			return nil, err
		}
		terms = append(terms, tm)
	}
	return terms, nil
}

// audienceTerms reads a whole source as targeting terms (the audience
// step and /audience accept the same words as "to").
func (p *lineParser) audienceTerms() ([]term, *parseError) {
	if err := p.tokenize(); err != nil {
		return nil, err
	}
	if len(p.toks) == 0 {
		return nil, &parseError{Pos: 0, Key: "err.syntax.missing", Args: []any{"Word", "to"}}
	}
	var terms []term
	for _, pc := range pieces(p.toks) {
		tm, err := parseTerm(pc)
		if err != nil {
			return nil, err
		}
		terms = append(terms, tm)
	}
	return terms, nil
}

func (p *lineParser) clauseChannels(after token) ([]herald.Platform, []accountWord, *parseError) {
	g, err := p.group(after)
	if err != nil {
		return nil, nil, err
	}
	var out []herald.Platform
	var accs []accountWord
	for _, pc := range pieces(g) {
		// "line:shop" (or line/shop, line@shop) is one account of LINE.
		word, name, named := strings.Cut(strings.NewReplacer("/", ":", "@", ":").Replace(pc.s), ":")
		pl, perr := herald.ParsePlatform(word)
		if perr != nil {
			return nil, nil, &parseError{Pos: pc.pos, Key: "err.syntax.channel", Args: []any{"Word", pc.s}}
		}
		if named {
			accs = append(accs, accountWord{Platform: pl, Name: name, Pos: pc.pos})
		}
		if !slices.Contains(out, pl) {
			out = append(out, pl)
		}
	}
	return out, accs, nil
}

func (p *lineParser) clauseAt(after token, out *oneLine) *parseError {
	g, err := p.group(after)
	if err != nil {
		return err
	}
	out.Timing, out.AtPos = "at", g[0].pos
	if last := strings.ToLower(g[len(g)-1].s); last == "user-tz" || last == "user-time" {
		out.Timing = "user"
		g = g[:len(g)-1]
	}
	if len(g) == 0 {
		return &parseError{Pos: out.AtPos, Key: "err.syntax.date"}
	}
	// Read for its instant later by readWhen, which needs the admin's
	// clock and zone; words it cannot read at all are pointed at here.
	out.At = g.text()
	if _, err := readWhen(out.At, time.Time{}, time.UTC); err != nil && err.Key == "err.at.format" {
		return &parseError{Pos: out.AtPos, Key: "err.syntax.date"}
	}
	return nil
}

func (p *lineParser) clauseEvery(after token, out *oneLine) *parseError {
	g, err := p.group(after)
	if err != nil {
		return err
	}
	rhythm, end, hasEnd := cutRecurringEnd(g.text())
	expr, ok := recurringCron(rhythm)
	if !ok {
		return &parseError{Pos: g[0].pos, Key: "err.syntax.every"}
	}
	out.Timing, out.Cron = "every", expr
	if k := len(strings.Fields(end)); hasEnd && len(g) >= k { // the end is the group's last words
		out.End, out.EndPos = end, g[len(g)-k].pos
	}
	return nil
}

// clauseQuiet reads "quiet 22:00-07:00" (spaces around the dash are fine)
// or "quiet off".
func (p *lineParser) clauseQuiet(after token, out *oneLine) *parseError {
	g, err := p.group(after)
	if err != nil {
		return err
	}
	v := g.text()
	if strings.EqualFold(v, "off") {
		out.Quiet = &herald.QuietHours{Off: true}
		return nil
	}
	q, qerr := herald.ParseQuietHours(v)
	if qerr != nil {
		return &parseError{Pos: g[0].pos, Key: "err.syntax.quiet"}
	}
	out.Quiet = &q
	return nil
}
