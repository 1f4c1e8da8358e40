// Package console is a terminal admin chat for Herald: replies print with
// numbered choices, typing a number presses one, and "/upload PATH" sends a
// file. It reads any io.Reader, so a script on stdin drives it in tests and
// demos.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/locales"
)

// Handler is the conversation engine (*flows.Engine).
type Handler interface {
	Handle(ctx context.Context, in flows.Input) ([]flows.Reply, error)
}

// Options configure a console session.
type Options struct {
	// ChatID and UserID name the admin; defaults "console" and "admin".
	ChatID   string
	UserID   string
	UserName string
	// Echo prints each input line after the prompt, for scripts read from
	// a pipe where the terminal does not show them.
	Echo bool
	// FilesDir receives files Herald sends back (default: the temp dir).
	FilesDir string
	// MaxUpload bounds /upload (default 10 MiB).
	MaxUpload int64
	// Offers is optional: a send-now's Undo message is recorded there, so
	// that when the broadcast starts the console says Undo is over.
	Offers *adminchat.Offers
	// Words is the admin's language now (it follows /lang), for the
	// console's own few words; nil: the catalog's English.
	Words func() *locales.Localizer
	// Columns is the terminal's width when out is a terminal: a progress
	// message's updates then rewrite one line in place. Nil (a pipe, a
	// file, a test): every update prints as lines of its own.
	Columns func() int
	// Preview renders a summary's preview as the Telegram sender sends it
	// (*dispatch/telegram.Sender's PreviewText); nil: the summary's line
	// naming the preview's recipient is printed alone.
	Preview func(c *herald.Content) string
}

// Console is one admin at a terminal.
type Console struct {
	mu    sync.Mutex // one writer at a time: the admin's turns and Surface
	posts int        // Surface refs, guarded by mu
	h     Handler
	out   io.Writer
	opts  Options
	// keys are what to type for each choice of the latest reply (see
	// navKeys); keysUndo is the broadcast whose Undo offer they press, if
	// any. Both guarded by mu: the offer's Edit takes them away.
	keys     map[string]string
	keysUndo string
	files    int
	// lastRef is the Surface message printed last, "" once anything else
	// was; live is true while its one-line update has no newline yet.
	// Both guarded by mu.
	lastRef string
	live    bool
}

// New returns a console that talks to h and prints to out.
func New(h Handler, out io.Writer, opts Options) *Console {
	if opts.ChatID == "" {
		opts.ChatID = "console"
	}
	if opts.UserID == "" {
		opts.UserID = "admin"
	}
	if opts.FilesDir == "" {
		opts.FilesDir = os.TempDir()
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 10 << 20
	}
	if opts.Words == nil {
		if cat, err := locales.New("en"); err == nil {
			en := cat.Localizer("en")
			opts.Words = func() *locales.Localizer { return en }
		}
	}
	return &Console{h: h, out: out, opts: opts}
}

// Run reads lines from in until it ends, ctx is done, or "/quit".
func (c *Console) Run(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for {
		c.printf("> ")
		if !sc.Scan() {
			c.printf("\n")
			if err := sc.Err(); err != nil {
				return fmt.Errorf("console: read input: %w", err)
			}
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		if c.opts.Echo {
			c.printf("%s\n", line)
		}
		if line == "" {
			continue
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		if err := c.Send(ctx, line); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// Resume shows an unfinished broadcast again at its step, so numbers typed
// next press its buttons (after a restart the console has none); it prints
// nothing when no wizard is open.
func (c *Console) Resume(ctx context.Context) error {
	return c.handle(ctx, flows.Input{Choice: flows.ChoiceResume})
}

// Send handles one typed line as the admin and prints the replies.
func (c *Console) Send(ctx context.Context, line string) error {
	var in flows.Input
	c.mu.Lock()
	id, pressed := c.keys[strings.ToLower(line)]
	c.mu.Unlock()
	switch {
	case pressed:
		in.Choice = id
	case strings.HasPrefix(line, "/upload"):
		f, msg := c.readUpload(strings.TrimSpace(strings.TrimPrefix(line, "/upload")))
		if f == nil {
			c.printf("%s\n", msg)
			return nil
		}
		in.File = f
	default:
		in.Text = line
	}
	return c.handle(ctx, in)
}

func (c *Console) handle(ctx context.Context, in flows.Input) error {
	in.Frontend, in.ChatID, in.UserID, in.UserName = Frontend, c.opts.ChatID, c.opts.UserID, c.opts.UserName
	replies, err := c.h.Handle(ctx, in)
	c.print(replies)
	for _, r := range replies {
		if r.Undo != "" {
			c.opts.Offers.Offered(r.Undo, herald.Origin{Frontend: Frontend, ChatID: c.opts.ChatID, UserID: c.opts.UserID}, r.Undo)
		}
	}
	if err != nil {
		// The engine already told the admin; the session goes on.
		c.printf("%s\n", c.word("console.error", "Error", err))
	}
	return nil
}

func (c *Console) readUpload(path string) (*flows.File, string) {
	if path == "" {
		return nil, c.word("console.upload_usage")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, c.word("console.upload_unreadable", "Path", path, "Error", errors.Unwrap(err))
	}
	if st.Size() > c.opts.MaxUpload {
		return nil, c.word("console.upload_too_big", "Path", path, "Size", flows.FormatCount(int(st.Size())), "Limit", flows.FormatCount(int(c.opts.MaxUpload)))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, c.word("console.upload_unreadable", "Path", path, "Error", err)
	}
	ct := mime.TypeByExtension(strings.ToLower(filepath.Ext(path)))
	if ct == "" {
		ct = http.DetectContentType(data)
	}
	ct, _, _ = strings.Cut(ct, ";")
	return &flows.File{Name: filepath.Base(path), ContentType: ct, Data: data}, ""
}

// navKeys are what to type for Back and Cancel at every step, so the
// same action keeps its key while the other choices are numbered 1, 2, …
var navKeys = map[string]string{"back": "0", "cancel": "x"}

// print renders replies: text, then numbered choices. Numbers always
// refer to the latest reply that had choices.
func (c *Console) print(replies []flows.Reply) {
	for _, r := range replies {
		c.printf("\n")
		if r.Pre {
			for _, l := range strings.Split(r.Text, "\n") {
				c.printf("    %s\n", l)
			}
		} else if r.Text != "" {
			c.printf("%s\n", r.Text)
		}
		if r.File != nil {
			c.saveFile(r.File)
		}
		if r.Preview != nil && c.opts.Preview != nil {
			c.printPreview(c.opts.Preview(&r.Preview.Content))
		}
		if len(r.Choices) == 0 {
			continue
		}
		keys := map[string]string{}
		n := 0
		for _, ch := range r.Choices {
			key := navKeys[ch.ID]
			if key == "" {
				n++
				key = strconv.Itoa(n)
			}
			keys[key] = ch.ID
			mark := ""
			switch {
			case r.Multi && ch.ID != "done" && ch.ID != "back" && ch.ID != "cancel":
				mark = "[ ] "
				if ch.Checked {
					mark = "[x] "
				}
			case ch.Checked: // one of a few, as people vs group chats
				mark = "✓ "
			}
			c.printf("  %2s) %s%s\n", key, mark, ch.Label)
		}
		c.mu.Lock()
		c.keys, c.keysUndo = keys, r.Undo
		c.mu.Unlock()
	}
}

func (c *Console) saveFile(f *flows.File) {
	c.files++
	path := filepath.Join(c.opts.FilesDir, filepath.Base(f.Name))
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		c.printf("%s\n", c.word("console.not_saved", "Name", f.Name, "Size", flows.FormatCount(len(f.Data)), "Error", err))
		return
	}
	c.printf("%s\n", c.word("console.saved", "Path", path, "Size", flows.FormatCount(len(f.Data))))
}

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLive()
	_, _ = fmt.Fprintf(c.out, format, args...)
}

// word is one of the console's own sentences in the admin's language.
func (c *Console) word(key string, pairs ...any) string {
	if c.opts.Words == nil {
		return key
	}
	for i := 1; i < len(pairs); i += 2 {
		if err, ok := pairs[i].(error); ok {
			pairs[i] = err.Error()
		}
	}
	return c.opts.Words().T(key, pairs...)
}

// printPreview prints a rendered preview indented under a bar, set apart
// from Herald's own words as the message it is.
func (c *Console) printPreview(text string) {
	for _, l := range strings.Split(text, "\n") {
		c.printf("  ┃ %s\n", l)
	}
}
