package console

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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
	s.c.printAsync(r)
	return strconv.Itoa(s.c.posts), nil
}

// Edit prints the new state of an earlier message as a new one.
func (s *Surface) Edit(_ context.Context, _ herald.Origin, _ string, r flows.Reply) error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.c.printAsync(r)
	return nil
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
			cmds = append(cmds, ch.ID+" ("+ch.Label+")")
		}
		b.WriteString("  │ type: " + strings.Join(cmds, " · ") + "\n")
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
	s.c.printAsync(flows.Reply{Text: caption + "\n🖼 " + path})
	return nil
}
