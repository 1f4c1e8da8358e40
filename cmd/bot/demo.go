package main

// The demo: a terminal admin on a database of generated subscribers, so a
// newcomer can make and manage broadcasts without any platform account.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/console"
	"github.com/heraldbot/herald/locales"
)

// runDemo seeds the demo database when it is empty, then runs the console
// admin on stdin/stdout until ctx ends (Ctrl-C), stdin closes (Ctrl-D) or
// the admin types /quit.
func runDemo(ctx context.Context, a *app, stdin io.Reader, stdout io.Writer) error {
	seeded, err := seedDemo(a.store, time.Now())
	if err != nil {
		return fmt.Errorf("demo: seed: %w", err)
	}
	eng, err := demoEngine(a)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, demoWelcome, filepath.Clean(a.cfg.Storage.Path), seededNote(seeded), a.addr)

	con := console.New(eng, stdout, console.Options{UserName: "Demo admin", Echo: !isTerminal(stdin), FilesDir: filepath.Dir(a.cfg.Storage.Path)})
	done := make(chan error, 1)
	go func() { done <- con.Run(ctx, stdin) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-done:
		fmt.Fprintln(stdout, "Console closed — stopping the demo.")
		return err
	}
}

func demoEngine(a *app) (*flows.Engine, error) {
	cat, err := locales.New(a.cfg.Locale)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	loc, err := time.LoadLocation(a.cfg.Timezone)
	if err != nil {
		return nil, fmt.Errorf("demo: timezone %q: %w", a.cfg.Timezone, err)
	}
	f := a.cfg.Flows
	eng, err := flows.New(flows.Config{
		Store:   a.store,
		Catalog: cat,
		Access:  flows.AllowAll{}, // one person at one terminal
		// The demo pretends every channel is configured: its subscribers
		// are generated, and nothing leaves the machine.
		Channels:          herald.Platforms,
		Location:          loc,
		SessionTTL:        time.Duration(f.SessionTTL),
		UndoDelay:         time.Duration(f.UndoDelay),
		MinLeadTime:       time.Duration(f.MinLeadTime),
		ApprovalThreshold: f.ApprovalThreshold,
		CSVMaxBytes:       f.CSVMaxBytes,
		Logger:            a.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return eng, nil
}

func seededNote(n int) string {
	if n == 0 {
		return "kept from your last run"
	}
	return fmt.Sprintf("%d generated subscribers on LINE, Telegram and Messenger", n)
}

const demoWelcome = `
Herald demo is running.
  database:  %s (%s;
             delete the file to start over)
  HTTP:      http://%s/healthz

You are the admin, chatting with Herald in this terminal:
  /new          create a broadcast step by step (answer each question;
                type a number to press a button)
  /audience tag:vip      count who has a tag
  /list         your broadcasts     /help   everything else
  /upload PATH  send a file (an image, or a CSV of user IDs) when asked
  /quit         leave (Ctrl-D works too)
Nothing is sent to real people: the subscribers are made up.
`

// isTerminal reports whether r is an interactive terminal; piped scripts
// get their lines echoed so the transcript reads like a chat.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	return st.Mode()&os.ModeCharDevice != 0
}
