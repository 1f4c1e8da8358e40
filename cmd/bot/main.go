// Command bot is Herald: a chat-ops bot for broadcasts. One binary runs the
// bot and its tools; see usage below or README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes: 0 fine, 1 the command failed (bad config, locked database…),
// 2 the command line was wrong.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `Herald — a chat-ops bot for broadcasts.

Usage:
  bot [-config FILE] [-demo] [-v]      run the bot
  bot -demo [-demo-undo 10s]           the demo: console admin, platform fakes, real sending
  bot check-config [-config FILE]      validate a config and show what is enabled
  bot backup [-config FILE] FILE       write a consistent copy of the database to FILE, and check it
  bot check-db [-config FILE]          check the database read-only: records per kind, problems found
  bot fakes [-addr 127.0.0.1:0]        run local fakes of the platform APIs, to poke the bot by hand
  bot bench audience …                 measure audience counting (bot bench audience -h)
  bot bench dispatch -n N …            measure delivery throughput (bot bench dispatch -h)
  bot help                             show this help

The config file defaults to $HERALD_CONFIG; without one the bot runs on
embedded defaults (database ./data/herald.db, or ./data/demo.db with -demo;
HTTP on 127.0.0.1:8080).
Values in the config may use ${VAR} to read secrets from the environment.
`

// run is the whole program: main only adds the process's signals and exit.
// Tests call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return exitOK
		case "check-config":
			return checkConfig(args[1:], stdout, stderr)
		case "backup":
			return backup(ctx, args[1:], stdout, stderr)
		case "check-db":
			return checkDB(args[1:], stdout, stderr)
		case "fakes":
			return runFakes(ctx, args[1:], stdout, stderr)
		case "bench":
			return bench(ctx, args[1:], stdout, stderr)
		}
		if len(args[0]) > 0 && args[0][0] != '-' {
			fmt.Fprintf(stderr, "bot: unknown command %q — run \"bot help\" for the list\n", args[0])
			return exitUsage
		}
	}
	return serve(ctx, args, stdin, stdout, stderr)
}

func bench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "audience":
			return benchAudience(ctx, args[1:], stdout, stderr)
		case "dispatch":
			return benchDispatch(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintln(stderr, "bot bench: say what to measure: \"bot bench audience\" or \"bot bench dispatch\"")
	return exitUsage
}
