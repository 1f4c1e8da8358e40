package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/postgres"
)

const migrateStorageHelp = `usage: herald migrate-storage -from CONFIG_A -to CONFIG_B

Copies everything Herald keeps from the storage of CONFIG_A to the storage
of CONFIG_B (storage.driver bbolt or postgres, either way), then counts
every kind of record on both sides and prints both counts.

Before you run it:
  - Stop every herald that uses CONFIG_A's storage. On bbolt the file's
    lock says whether a bot runs. On PostgreSQL the copy refuses while a
    herald holds the database's lock or any lease (SELECT * FROM leases
    lists them): stop every instance, then wait cluster.lease_ttl.
  - CONFIG_B's storage must be empty: a new bbolt file (storage.path) or an
    empty PostgreSQL database or schema (storage.postgres_url). The copy
    never merges into a store in use.

The source is read in one consistent snapshot and not changed (bbolt: the
file opened read-only; PostgreSQL: one read-only REPEATABLE READ
transaction; a database at an older schema is first brought to this
herald's, as starting the bot would). Records keep their numbers, and the
click secret is copied, so runs in progress, reports and tracked links
already sent keep working. On PostgreSQL the copy is one transaction: if
it fails, the target stays empty; on bbolt delete the target file before
trying again. Then start the bot with CONFIG_B.
See README "Moving between bbolt and PostgreSQL".

Flags:
`

// migrateStorage copies one deployment's storage into another's.
func migrateStorage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald migrate-storage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), migrateStorageHelp)
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "config file whose storage is copied (the bot must be stopped)")
	to := fs.String("to", "", "config file whose storage receives the copy (must be empty)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "herald migrate-storage: name both configs: herald migrate-storage -from CONFIG_A -to CONFIG_B (herald migrate-storage -h explains)")
		return exitUsage
	}
	src, dst, code := migrateConfigs(*from, *to, stderr)
	if code != exitOK {
		return code
	}
	if err := migrate(ctx, src, dst, stdout); err != nil {
		fmt.Fprintln(stderr, "herald migrate-storage:", err)
		return exitFail
	}
	return exitOK
}

// migrateConfigs reads both configs' storage sections.
func migrateConfigs(from, to string, stderr io.Writer) (src, dst StorageConfig, code int) {
	for _, c := range []struct {
		path string
		sc   *StorageConfig
	}{{from, &src}, {to, &dst}} {
		cfg, err := LoadConfig(c.path, os.LookupEnv)
		if err == nil {
			err = cfg.Validate()
		}
		if err != nil {
			printProblems(stderr, c.path, err)
			return src, dst, exitFail
		}
		*c.sc = cfg.Storage
	}
	if sameStorage(src, dst) {
		fmt.Fprintf(stderr, "herald migrate-storage: -from and -to name the same storage (%s) — point -to at a config with a new bbolt file or an empty PostgreSQL database\n", src.shown())
		return src, dst, exitUsage
	}
	return src, dst, exitOK
}

func sameStorage(a, b StorageConfig) bool {
	if a.postgres() != b.postgres() {
		return false
	}
	if a.postgres() {
		return a.PostgresURL == b.PostgresURL
	}
	return abs(a.Path) == abs(b.Path)
}

// migrate copies src into dst and prints the counts of both.
func migrate(ctx context.Context, src, dst StorageConfig, stdout io.Writer) error {
	start := time.Now()
	source, err := openSource(ctx, src)
	if err != nil {
		return err
	}
	defer source.Close()
	target, err := openStore(dst, storage.Options{}) // a bbolt file's directory is made there
	if err != nil {
		return err
	}
	defer target.Close()
	fmt.Fprintf(stdout, "migrate-storage: copying %s %s to %s %s…\n", engine(src), src.shown(), engine(dst), dst.shown())
	into, ok := target.(storage.Target)
	if !ok {
		return fmt.Errorf("this herald cannot copy into %s %s", engine(dst), dst.shown())
	}
	lines, err := storage.Transfer(ctx, source, into, dst.shown())
	if lines != nil {
		printCounts(stdout, lines)
	}
	var total int64
	for _, l := range lines {
		total += l.Target
	}
	switch {
	case errors.Is(err, storage.ErrCountsDiffer):
		return fmt.Errorf("%w (the kinds marked !) — do not use %s: delete it (or empty the database), run the copy again, and report the lines above if it happens again",
			err, dst.shown())
	case err != nil && !dst.postgres() && !errors.As(err, new(*storage.NotEmptyError)):
		return fmt.Errorf("%w — %s holds part of the copy: delete it before trying again", err, dst.shown())
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "migrate-storage: copied %d records in %s; every count matches. Start the bot with the -to config.\n",
		total, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// sourceStore is a store a copy reads.
type sourceStore interface {
	storage.Exporter
	Close() error
}

// openSource opens the storage to copy without writing to it: the bbolt
// file read-only (its lock refuses a running bot), the database with
// its instance lock and no live lease (no instance running).
func openSource(ctx context.Context, sc StorageConfig) (sourceStore, error) {
	if sc.postgres() {
		// Opening would create or upgrade the schema: a source is only
		// read, and a mistyped URL must not gain Herald's tables.
		sch, err := postgres.CheckSchema(ctx, sc.PostgresURL)
		switch {
		case err != nil:
			return nil, err
		case sch.Version == 0:
			return nil, fmt.Errorf("%s has no Herald tables — check storage.postgres_url in the -from config (nothing was written to it)", sc.shown())
		case sch.Behind():
			return nil, fmt.Errorf("%s was written by an older herald (schema %d; this one reads schema %d) — start this herald on it once to upgrade it, then copy", sc.shown(), sch.Version, sch.Latest)
		}
		b, err := openPostgres(sc, storage.Options{})
		if err != nil {
			return nil, err
		}
		pg := b.(*postgres.Store)
		if err := pg.CheckNoInstance(ctx); err != nil {
			pg.Close()
			return nil, err
		}
		return pg, nil
	}
	shown := sc.shown()
	if missing(sc.Path) {
		return nil, fmt.Errorf("there is no database at %s — check storage.path in the -from config", shown)
	}
	s, err := storage.Open(sc.Path, storage.Options{ReadOnly: true, LockTimeout: time.Second})
	switch {
	case errors.Is(err, storage.ErrLocked):
		return nil, fmt.Errorf("a herald is running with %s — stop it first: the copy must see everything it would write", shown)
	case err != nil:
		return nil, fmt.Errorf("cannot open the database %s: %w", shown, err)
	}
	return s, nil
}

func engine(sc StorageConfig) string {
	if sc.postgres() {
		return "PostgreSQL"
	}
	return "bbolt"
}

// printCounts writes the verification: every kind, both counts.
func printCounts(w io.Writer, lines []storage.CountLine) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tsource\ttarget")
	for _, l := range lines {
		mark := ""
		if l.Source != l.Target {
			mark = "  !"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d%s\n", l.Kind, l.Source, l.Target, mark)
	}
	_ = tw.Flush()
}
