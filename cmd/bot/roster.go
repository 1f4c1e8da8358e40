package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/line"
	"github.com/heraldbot/herald/storage"
)

// whileRunning is the way in when the bot holds the database.
const whileRunning = "while Herald runs, use the chat (/import, /sync line) or POST /api/v1/subscribers/import"

// importCmd runs `herald import subscribers [-config FILE] [-platform P]
// [-rejected OUT.csv] FILE`: a team's list into the database, with the
// report on stdout.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, configPath := subcommand("herald import subscribers",
		"herald import subscribers [-config FILE] [-platform line|telegram|messenger] [-rejected OUT.csv] FILE", configStorageHelp, stderr)
	platform := fs.String("platform", "", "platform of rows that name none (no platform column)")
	rejected := fs.String("rejected", "", "write the skipped rows to this CSV (line, reason, row)")
	if len(args) == 0 || args[0] != "subscribers" {
		fs.Usage()
		return exitUsage
	}
	if code, ok := parseFlags(fs, args[1:], stdout); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	var def herald.Platform
	if *platform != "" {
		p, err := herald.ParsePlatform(*platform)
		if err != nil {
			fmt.Fprintf(stderr, "herald import: -platform %q: use line, telegram or messenger\n", *platform)
			return exitUsage
		}
		def = p
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "herald import:", err)
		return exitFail
	}
	defer f.Close()
	cfg, source, err := resolveConfig(*configPath, false)
	if err != nil {
		printProblems(stderr, source, err)
		return exitFail
	}
	store := openRosterStore(cfg, stderr)
	if store == nil {
		return exitFail
	}
	defer store.Close()
	start := time.Now()
	rep, err := roster.Import(ctx, store, f, roster.Options{Platform: def, Progress: func(r roster.Report) {
		fmt.Fprintf(stdout, "… %d rows\n", r.Rows)
	}})
	fmt.Fprintf(stdout, "import: %s (%s, %s)\n", rep.String(), rep.Format, time.Since(start).Round(time.Millisecond))
	for _, s := range rep.Skipped {
		fmt.Fprintf(stdout, "  line %d: %s\n", s.Line, s.Reason)
	}
	if *rejected != "" && len(rep.Skipped) > 0 {
		if _, werr := writeAtomically(*rejected, func(w io.Writer) (int64, error) { return 0, rep.WriteRejected(w) }, nil); werr != nil {
			fmt.Fprintln(stderr, "herald import:", werr)
			return exitFail
		}
		fmt.Fprintf(stdout, "skipped rows written to %s\n", *rejected)
	}
	if err != nil {
		fmt.Fprintln(stderr, "herald import:", err)
		return exitFail
	}
	return exitOK
}

// syncCmd runs `herald sync line [-config FILE]`: each LINE account's
// followers Herald has not met yet are added, account by account.
func syncCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, configPath := subcommand("herald sync line", "herald sync line [-config FILE]",
		"config file with the line section (default $HERALD_CONFIG)", stderr)
	if len(args) == 0 || args[0] != "line" {
		fs.Usage()
		return exitUsage
	}
	if code, ok := parseFlags(fs, args[1:], stdout); !ok {
		return code
	}
	cfg, source, err := resolveConfig(*configPath, false)
	if err != nil {
		printProblems(stderr, source, err)
		return exitFail
	}
	srcs := lineFollowers(&cfg)
	if len(srcs) == 0 {
		fmt.Fprintln(stderr, "herald sync line: LINE is not configured (line.channel_token)")
		return exitFail
	}
	store := openRosterStore(cfg, stderr)
	if store == nil {
		return exitFail
	}
	defer store.Close()
	code := exitOK
	for _, acc := range cfg.deliveryAccounts() {
		src := srcs[acc.Name]
		if acc.Platform != herald.LINE || src == nil {
			continue
		}
		rep, err := roster.Sync(ctx, store, acc, src)
		if errors.Is(err, herald.ErrForbidden) {
			fmt.Fprintf(stderr, "herald sync %s: LINE lists followers only for verified and premium accounts; this one is neither, so followers are learnt as they write or follow.\n", acc)
			code = exitFail
			continue
		}
		fmt.Fprintf(stdout, "sync %s: %d followers: %d added, %d already known, %d without a profile\n", acc, rep.Followers, rep.Added, rep.Known, rep.NoProfile)
		if err != nil {
			fmt.Fprintf(stderr, "herald sync %s: %v\n", acc, err)
			code = exitFail
		}
	}
	return code
}

// openRosterStore opens the configured database for a bulk change.
func openRosterStore(cfg Config, stderr io.Writer) storage.Backend {
	store, err := openStore(cfg.Storage, storage.Options{LockTimeout: time.Second})
	if err != nil {
		fmt.Fprintf(stderr, "herald: %v (%s)\n", err, whileRunning)
		return nil
	}
	return store
}

// lineFollowers are /sync line's sources, one per LINE account with a
// channel token, by account name ("" the top-level channel); empty when
// LINE is not configured (the command says LINE is off).
func lineFollowers(cfg *Config) map[string]roster.FollowerSource {
	out := map[string]roster.FollowerSource{}
	add := func(name, token, apiURL string) {
		if token == "" {
			return
		}
		if f, err := line.NewFollowers(token, apiURL, nil); err == nil {
			out[name] = f
		}
	}
	add("", cfg.LINE.ChannelToken, cfg.LINE.APIURL)
	for _, a := range cfg.LINE.Accounts {
		add(a.Name, a.ChannelToken, a.APIURL)
	}
	return out
}

// lazyInterim is flows' Interim: the admin chats' reporter, built after
// flows (the frontends need the engine).
type lazyInterim struct{ p *parts }

// Say posts r in the chat at where.
func (l lazyInterim) Say(ctx context.Context, where herald.Origin, r flows.Reply) {
	if fe := l.p.fe; fe != nil {
		fe.Reporter.Say(ctx, where, r)
	}
}
