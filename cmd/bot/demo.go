package main

// The demo: a terminal admin on a database of generated subscribers, so a
// newcomer can make and manage broadcasts without any platform account.

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
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
	// words are the console admin's language (consoleWords).
	words func() *locales.Localizer
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
	words := consoleWords(ap, cfg.Locale)
	con := console.New(lateHandler{ap}, stdout, console.Options{UserName: "Demo admin", Echo: !isTerminal(stdin), FilesDir: filepath.Dir(cfg.Storage.Path),
		Offers: offers, Words: words, Columns: terminalColumns(stdout), Preview: tg.PreviewText})
	return &demoMode{fakes: f, con: con, undo: undo, offers: offers, words: words}, nil
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
	more, err := seedDemoAccounts(a.store, a.cfg.deliveryAccounts())
	if err != nil {
		return fmt.Errorf("demo: seed accounts: %w", err)
	}
	seeded += more
	lineTokens := map[string]string{}
	for _, acc := range a.cfg.LINE.Accounts {
		lineTokens[acc.Name] = acc.ChannelToken
	}
	if err := d.fakes.knowSubscribers(a.store, lineTokens); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprint(stdout, d.welcome(a, seeded))

	if err := d.con.Resume(ctx); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- d.con.Run(ctx, stdin) }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-done:
		fmt.Fprintln(stdout, d.words().T("demo.closed"))
		return err
	}
}

// consoleWords is the console admin's language: theirs after /lang, else
// the bot's default.
func consoleWords(ap **app, def string) func() *locales.Localizer {
	cat, err := locales.New(def)
	if err != nil { // Validate checked the locale: English is only a fallback
		def = "en"
		cat, _ = locales.New(def)
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

// welcome is the demo's opening text in the console admin's language:
// where its database, HTTP server and fakes are, and how to begin.
func (d *demoMode) welcome(a *app, seeded int) string {
	loc := d.words()
	note := loc.T("demo.kept")
	if seeded > 0 {
		note = loc.N("demo.seeded", seeded, "Count", flows.FormatCount(seeded))
	}
	u := d.fakes.urls
	return loc.T("demo.welcome", "Path", filepath.Clean(a.cfg.Storage.Path), "Seeded", note, "Addr", a.addr,
		"Fakes", u.Base, "Control", u.ControlPath, "Undo", loc.T("duration.s", "S", strconv.Itoa(int(math.Ceil(d.undo.Seconds())))))
}

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
