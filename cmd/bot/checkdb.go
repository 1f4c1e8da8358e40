package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldbot/herald/storage"
)

// damagedHint is the fix every "damaged" message ends with, whichever
// command met the file.
const damagedHint = `restore your latest backup (made by "herald backup", see README "Backups") to that path, or move the file aside to start with an empty database`

// damagedLine is the one line an operator gets for a damaged database:
// the file, "is damaged", a short reason without record data, that it was
// left as it is, and how to restore it. ok is false when err is not about
// a damaged file.
func damagedLine(err error) (line string, ok bool) {
	var de *storage.DamagedError
	if !errors.As(err, &de) {
		return "", false
	}
	return fmt.Sprintf("the database %s is damaged (%s) — %s", filepath.Clean(de.Path), de.Reason, damagedHint), true
}

// checkDB is `herald check-db`: a read-only consistency check of the
// database, with its records per kind and the problems found. Exit 0 when
// there are none, 1 when there are (or the file cannot be checked).
func checkDB(args []string, stdout, stderr io.Writer) int {
	fs, configPath := subcommand("herald check-db", "herald check-db [-config FILE]", configStorageHelp, stderr)
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitUsage
	}
	cfg, source, err := resolveConfig(*configPath, false)
	if err != nil {
		printProblems(stderr, source, err)
		return exitFail
	}
	if cfg.Storage.postgres() {
		fmt.Fprintln(stderr, "herald check-db: storage.driver is postgres and check-db checks a bbolt file — "+
			"run \"herald check-config\" to check the connection and the schema (PostgreSQL's own tools, such as amcheck, check its data)")
		return exitFail
	}
	shown := filepath.Clean(cfg.Storage.Path)
	if _, err := os.Stat(cfg.Storage.Path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "herald check-db: there is no database at %s — check storage.path (or -config)\n", shown)
		return exitFail
	}
	start := time.Now()
	rep, err := storage.CheckFile(cfg.Storage.Path)
	if err != nil && len(rep.Kinds) == 0 {
		fmt.Fprintln(stderr, "herald check-db:", checkDBError(shown, err))
		return exitFail
	}
	fmt.Fprintf(stdout, "check-db: %s\n", shown)
	for _, k := range rep.Kinds {
		fmt.Fprintf(stdout, "  %-16s %d\n", k.Kind, k.Records)
	}
	fmt.Fprintf(stdout, "%d problems found (%s)\n", len(rep.Problems), time.Since(start).Round(time.Millisecond))
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "  "+p)
	}
	if len(rep.Problems) > 0 {
		fmt.Fprintln(stderr, "herald check-db: "+shown+" is damaged — "+damagedHint)
		return exitFail
	}
	return exitOK
}

// checkDBError says why the file could not be checked at all.
func checkDBError(shown string, err error) string {
	if line, ok := damagedLine(err); ok {
		return line
	}
	if errors.Is(err, storage.ErrLocked) {
		return "herald is running with " + shown + " — stop it, or check a copy: \"herald backup FILE\" checks the copy it writes"
	}
	return fmt.Sprintf("cannot open %s: %v", shown, err)
}
