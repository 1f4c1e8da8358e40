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

	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
	"github.com/heraldbot/herald/locales"
)

// demo is the -demo mode: platform fakes on loopback, and the console as
// the admin frontend.
type demoMode struct {
	fakes *demoFakes
	con   *console.Console
	undo  time.Duration
	// offers are the console's Undo messages, closed when a run starts.
	offers *adminchat.Offers
}

// newDemo starts the fakes, points cfg's channels at them and shortens
// the undo delay; *ap is the app once it is wired (the console exists
// before it, as its surface).
func newDemo(cfg *Config, undo time.Duration, ap **app, stdin io.Reader, stdout io.Writer) (*demoMode, error) {
	f, err := startDemoFakes(cfg)
	if err != nil {
		return nil, err
	}
	cfg.Flows.UndoDelay = Duration(undo)
	// A newcomer should see a timed broadcast go out without a long wait.
	cfg.Flows.MinLeadTime = Duration(time.Minute)
	if cfg.PublicBaseURL == "" {
		// LINE and Messenger take images only by https address; the fakes
		// check that shape but never fetch, so an image uploaded in the
		// console goes out under this name instead of failing.
		cfg.PublicBaseURL = demoPublicURL
	}
	offers := adminchat.NewOffers()
	// The console prints the summary's preview as the Telegram sender
	// renders it (this instance only renders; it sends nothing).
	tg, err := dtelegram.New(dtelegram.Config{Token: cfg.Telegram.Token, BaseURL: cfg.Telegram.APIURL,
		MediaURL: func(id string) string { return cfg.PublicBaseURL + "/media/" + id }})
	if err != nil {
		return nil, fmt.Errorf("demo: telegram preview: %w", err)
	}
	con := console.New(lateHandler{ap}, stdout, console.Options{UserName: "Demo admin", Echo: !isTerminal(stdin), FilesDir: filepath.Dir(cfg.Storage.Path),
		Offers: offers, Words: consoleWords(ap, cfg.Locale), Columns: terminalColumns(stdout), Preview: tg.PreviewText})
	return &demoMode{fakes: f, con: con, undo: undo, offers: offers}, nil
}

// appOptions make the console the admin frontend, with progress every 2s.
func (d *demoMode) appOptions() appOptions {
	return appOptions{Console: d.con.Surface(), Offers: d.offers, ProgressInterval: 2 * time.Second}
}

// run seeds the demo database when it is empty, then runs the console
// admin on stdin/stdout until ctx ends (Ctrl-C), stdin closes (Ctrl-D) or
// the admin types /quit.
func (d *demoMode) run(ctx context.Context, a *app, stdin io.Reader, stdout io.Writer) error {
	seeded, err := seedDemo(a.store, time.Now())
	if err != nil {
		return fmt.Errorf("demo: seed: %w", err)
	}
	if err := d.fakes.knowSubscribers(a.store); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	u := d.fakes.urls
	fmt.Fprintf(stdout, demoWelcome, filepath.Clean(a.cfg.Storage.Path), seededNote(seeded), a.addr,
		u.Base, u.ControlPath, u.ControlPath, int(d.undo.Seconds()))

	if err := d.con.Resume(ctx); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- d.con.Run(ctx, stdin) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-done:
		fmt.Fprintln(stdout, "Console closed — stopping the demo (sends in flight finish first).")
		return err
	}
}

// consoleWords is the console admin's language: theirs after /lang, else
// the bot's default.
func consoleWords(ap **app, def string) func() *locales.Localizer {
	cat, err := locales.New(def)
	if err != nil {
		return nil // Validate checked the locale; the console falls back to English
	}
	return func() *locales.Localizer {
		lang := def
		if a := *ap; a != nil {
			if ad, err := a.store.Admin(console.Frontend + ":admin"); err == nil && ad.Locale != "" {
				lang = ad.Locale
			}
		}
		return cat.Localizer(lang)
	}
}

// demoPublicURL is the demo's stand-in for public_base_url (.invalid is
// reserved: it can never reach a real server).
const demoPublicURL = "https://demo.herald.invalid"

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
  platforms: fakes of LINE, Telegram and Messenger at %s
             (see what was delivered: curl -s %s -d '{"action":"deliveries"}';
              summary: curl -s %s)

You are the admin, chatting with Herald in this terminal:
  /new          create a broadcast step by step (answer each question;
                type a number to press a button)
  /audience tag:vip      count who has a tag
  /list         your broadcasts     /help   everything else
  /pause ID  /resume ID  /cancel ID  /errors ID   control a broadcast
  /upload PATH  send a file (an image, or a CSV of user IDs) when asked
  /quit         leave (Ctrl-D works too)

"Send now" waits %ds so you can undo (-demo-undo 1s changes it), then goes
out through Herald's real senders to the fakes above; "at a time" (at least
a minute ahead) goes out when due while the demo runs. Progress and the final report print here
(lines starting with │) as the run goes.
Nothing is sent to real people: the subscribers and platforms are made up.
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
