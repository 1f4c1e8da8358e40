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
  herald [-config FILE] [-listen ADDR] [-v]
                                          run the bot (-listen overrides http.listen)
  herald -demo [-listen ADDR] [-demo-undo 10s]
                                          the demo: console admin, platform fakes, real sending
  herald check-config [-config FILE]      validate a config and show what is enabled
                                          (with PostgreSQL: connect and check the schema)
  herald backup [-config FILE|-demo] FILE write a consistent copy of the database to FILE, and check it
                                          (bbolt; with PostgreSQL use pg_dump)
  herald check-db [-config FILE]          check the database read-only: records per kind, problems found
                                          (bbolt; with PostgreSQL use check-config)
  herald migrate-storage -from CONFIG_A -to CONFIG_B
                                          copy everything from one storage to another (bbolt ⇄
                                          PostgreSQL) into an empty target, and compare the counts
  herald import subscribers [-config FILE] [-platform P] [-rejected FILE] FILE
                                          add or update subscribers from a CSV or NDJSON file
                                          (-rejected: the skipped lines as a CSV)
  herald sync line [-config FILE]         add the LINE account's followers Herald does not know yet
  herald fakes [-addr 127.0.0.1:0]        run local fakes of the platform APIs, to poke the bot by hand
  herald bench audience …                 measure audience counting (herald bench audience -h)
  herald bench dispatch -n N …            measure delivery throughput (herald bench dispatch -h)
  herald help                             show this help

The config file defaults to $HERALD_CONFIG; without one the bot runs on
embedded defaults (database ./data/herald.db; HTTP on 127.0.0.1:8080);
storage.driver: postgres keeps the data in PostgreSQL instead.
The demo always uses its own database, ./data/demo.db, even with -config:
it never writes to a real bot's storage.path.
Values in the config may use ${VAR} to read secrets from the environment.
From a clone, "go run ./cmd/bot ARGS" is the same as "herald ARGS".
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
		case "import":
			return importCmd(ctx, args[1:], stdout, stderr)
		case "sync":
			return syncCmd(ctx, args[1:], stdout, stderr)
		case "bench":
			return bench(ctx, args[1:], stdout, stderr)
		case "migrate-storage":
			return migrateStorage(ctx, args[1:], stdout, stderr)
		}
		if len(args[0]) > 0 && args[0][0] != '-' {
			fmt.Fprintf(stderr, "herald: unknown command %q — run \"herald help\" for the list\n", args[0])
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
	fmt.Fprintln(stderr, "herald bench: say what to measure: \"herald bench audience\" or \"herald bench dispatch\"")
	return exitUsage
}
