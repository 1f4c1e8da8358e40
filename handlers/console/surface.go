package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Frontend is the Origin.Frontend of broadcasts made at the console.
const Frontend = "console"

// Surface returns the console as an adminchat.Surface: progress, reports
// and notices (rendered by adminchat, as for Telegram and Slack) print
// between the admin's turns. Their buttons print as the commands they run,
// so they never renumber the choices of the conversation in progress.
func (c *Console) Surface() *Surface { return &Surface{c: c} }

// Surface prints adminchat's messages at the console.
type Surface struct{ c *Console }

// Post prints r; the ref is a counter (a terminal cannot edit old lines).
func (s *Surface) Post(_ context.Context, _ herald.Origin, r flows.Reply) (string, error) {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.posts++
	s.c.endLive()
	s.c.printAsync(r)
	ref := strconv.Itoa(s.c.posts)
	s.c.lastRef = ref
	return ref, nil
}

// Edit prints the new state of an earlier message. In a terminal, when
// that message is still the last thing printed (a run's progress, while
// the admin waits), the new state rewrites one line under it in place
// instead of printing a new block every few seconds; otherwise it prints
// as a new message. An Undo offer edited once its broadcast started loses
// its numbers, as it loses its buttons in Telegram and Slack: a number
// typed next is text, not a late Undo.
func (s *Surface) Edit(_ context.Context, _ herald.Origin, ref string, r flows.Reply) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if ref == s.c.keysUndo {
		s.c.keys, s.c.keysUndo = nil, ""
	}
	if s.c.opts.Columns != nil && ref == s.c.lastRef {
		lines := strings.Split(r.Text, "\n")
		for i := range lines {
			lines[i] = strings.TrimSpace(lines[i])
		}
		line := fitColumns("  │ "+strings.Join(lines, "  "), s.c.opts.Columns())
		_, _ = io.WriteString(s.c.out, "\r\x1b[K"+line)
		s.c.live = true
		return nil
	}
	s.c.endLive()
	s.c.printAsync(r)
	s.c.lastRef = ref
	return nil
}

// endLive ends the in-place progress line, so what prints next starts on
// a line of its own; anything printed makes the next Edit a new block.
// c.mu is held.
func (c *Console) endLive() {
	if c.live {
		_, _ = io.WriteString(c.out, "\n")
		c.live = false
	}
	c.lastRef = ""
}

// fitColumns cuts line to fit a terminal of cols columns, so that it never
// wraps (a wrapped line cannot be rewritten with \r). Wide characters
// (CJK, most emoji) take two columns; a small margin absorbs terminals
// that draw some symbols wider than Unicode says.
func fitColumns(line string, cols int) string {
	limit := max(cols-4, 10)
	used := 0
	for i, r := range line {
		w := runeColumns(r)
		if used+w > limit-1 {
			return line[:i] + "…"
		}
		used += w
	}
	return line
}

func runeColumns(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0xFE0F || r == 0x200D:
		return 0
	case r >= 0x1F000: // emoji and pictographs
		return 2
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// printAsync writes r indented under a marker, its choices as commands.
// c.mu is held.
func (c *Console) printAsync(r flows.Reply) {
	var b strings.Builder
	b.WriteString("\n")
	for _, l := range strings.Split(r.Text, "\n") {
		b.WriteString("  │ " + l + "\n")
	}
	if len(r.Choices) > 0 {
		cmds := make([]string, 0, len(r.Choices))
		for _, ch := range r.Choices {
			cmds = append(cmds, c.word("console.command", "Command", ch.ID, "Label", ch.Label))
		}
		b.WriteString("  │ " + c.word("console.type", "Commands", strings.Join(cmds, " · ")) + "\n")
	}
	_, _ = c.out.Write([]byte(b.String()))
}

// Photo writes an image (the report's chart) into the console's files
// directory, next to the demo's database, and prints its path and
// caption: a terminal shows no pictures.
func (s *Surface) Photo(_ context.Context, _ herald.Origin, name string, png []byte, caption string) error {
	path := filepath.Join(s.c.opts.FilesDir, filepath.Base(name))
	if err := os.WriteFile(path, png, 0o600); err != nil {
		return fmt.Errorf("console: save %s: %w", name, err)
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.endLive()
	s.c.printAsync(flows.Reply{Text: caption + "\n🖼 " + path})
	return nil
}
