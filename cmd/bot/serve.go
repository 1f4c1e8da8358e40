package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// serve runs the bot until ctx ends (SIGINT/SIGTERM), or with -demo until
// the demo's console ends.
func serve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := fs.String("config", "", "config file (default $HERALD_CONFIG, else embedded defaults)")
	demo := fs.Bool("demo", false, "run the demo: embedded defaults, database "+demoStoragePath)
	var demoUndo time.Duration
	fs.Var(newDurationFlag(&demoUndo, 10*time.Second), "demo-undo", "with -demo: how long \"send now\" waits, so you can undo (e.g. 2s)")
	listen := fs.String("listen", "", "serve HTTP on this host:port instead of http.listen (e.g. 127.0.0.1:8081)")
	verbose := fs.Bool("v", false, "log at debug level")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "herald: unexpected argument %q — run \"herald help\"\n", fs.Arg(0))
		return exitUsage
	}
	if *listen != "" {
		if _, _, err := net.SplitHostPort(*listen); err != nil {
			fmt.Fprintf(stderr, "herald: -listen %q is not host:port — e.g. -listen 127.0.0.1:8081, or -listen :8081 for every interface\n", *listen)
			return exitUsage
		}
	}
	cfg, source, err := resolveConfig(*configPath, *demo)
	if err != nil {
		printProblems(stderr, source, err)
		return exitFail
	}
	if *listen != "" {
		cfg.HTTP.Listen = *listen
	}
	logger := newLogger(stderr, cfg.LogLevel, *verbose)
	var (
		a    *app
		opts appOptions
		dm   *demoMode
	)
	if *demo {
		if dm, err = newDemo(&cfg, demoUndo, &a, stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "herald:", err)
			return exitFail
		}
		defer dm.fakes.close()
		opts = dm.appOptions()
	}
	a, err = startApp(cfg, logger, opts)
	if line, ok := damagedLine(err); ok {
		fmt.Fprintln(stderr, "bot:", line)
		return exitFail
	}
	if err != nil {
		fmt.Fprintln(stderr, "herald:", err)
		return exitFail
	}
	started := []any{"http_addr", a.addr, "storage", cfg.Storage.shown(), "config", source,
		"timezone", cfg.Timezone, "locale", cfg.Locale, "channels", strings.Join(enabledChannels(&cfg), ",")}
	if a.metricsAddr != "" {
		started = append(started, "metrics_addr", a.metricsAddr)
	}
	logger.Info("herald started", started...)

	if dm != nil {
		if err := dm.run(ctx, a, stdin, stdout); err != nil {
			logger.Error("demo stopped", "error", err)
		}
	} else {
		select {
		case <-ctx.Done():
		case <-a.lostLease():
			logger.Error("herald stopping", "error", errLostLease)
			_ = a.shutdown()
			return exitFail
		}
	}
	logger.Info("herald stopping")
	if err := a.shutdown(); err != nil {
		logger.Error("shutdown", "error", err)
		return exitFail
	}
	logger.Info("herald stopped")
	return exitOK
}

// parseFlags parses args; ok is false when the caller should return code
// (help was asked for, or the flags were wrong — the flag package has
// already said why).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK, false
	}
	return exitUsage, false
}

// embeddedDefaults is resolveConfig's source when no file is named.
const embeddedDefaults = "embedded defaults"

// resolveConfig picks the config: -config FILE, else $HERALD_CONFIG, else
// the embedded defaults. The demo always runs on its own database, even
// with a config: its generated subscribers must never land in the file (or
// the PostgreSQL database) a real bot sends from. source names the config
// for messages and logs.
func resolveConfig(path string, demo bool) (cfg Config, source string, err error) {
	if path == "" {
		path = os.Getenv("HERALD_CONFIG")
	}
	if path == "" {
		cfg, source = DefaultConfig(), embeddedDefaults
	} else {
		source = path
		cfg, err = LoadConfig(path, os.LookupEnv)
	}
	if demo {
		cfg.Storage = StorageConfig{Driver: driverBBolt, Path: demoStoragePath}
	}
	if err == nil && source != embeddedDefaults {
		err = cfg.Validate()
	}
	return cfg, source, err
}

// printProblems writes a config error one problem per line, each prefixed
// with the file unless it already names it ("config.yaml:12: …").
func printProblems(w io.Writer, source string, err error) {
	var probs Problems
	if !errors.As(err, &probs) {
		fmt.Fprintf(w, "%s: %v\n", source, err)
		return
	}
	for _, p := range probs {
		if strings.HasPrefix(p, source+":") {
			fmt.Fprintln(w, p)
		} else {
			fmt.Fprintf(w, "%s: %s\n", source, p)
		}
	}
}

// enabledChannels lists the delivery channels and admin frontends whose
// credentials are set.
func enabledChannels(c *Config) []string {
	var on []string
	for _, ch := range []struct {
		name string
		on   bool
	}{{"telegram", c.TelegramEnabled()}, {"slack", c.SlackEnabled()}, {"line", c.LINEEnabled()}, {"messenger", c.MessengerEnabled()}} {
		if ch.on {
			on = append(on, ch.name)
		}
	}
	if len(on) == 0 {
		return []string{"none"}
	}
	return on
}
