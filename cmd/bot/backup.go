package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldbot/herald/storage"
)

// backup writes a consistent copy of the database to a file, whether or
// not the bot is running.
func backup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, configPath := subcommand("herald backup", "herald backup [-config FILE | -demo] BACKUP_FILE", configStorageHelp, stderr)
	demo := fs.Bool("demo", false, "back up the demo's database ("+demoStoragePath+")")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	cfg, source, err := resolveConfig(*configPath, *demo)
	if err != nil {
		printProblems(stderr, source, err)
		return exitFail
	}
	if cfg.Storage.postgres() {
		fmt.Fprintln(stderr, "herald backup:", pgDumpHint(cfg.Storage))
		return exitFail
	}
	n, hot, err := backupTo(ctx, cfg.Storage.Path, fs.Arg(0))
	if errors.Is(err, errNoDatabase) && !*demo && source == embeddedDefaults && !missing(demoStoragePath) {
		err = fmt.Errorf("%w; the demo's database is %s — back it up with: herald backup -demo %s", err, filepath.Clean(demoStoragePath), fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(stderr, "herald backup:", err)
		return exitFail
	}
	from := filepath.Clean(cfg.Storage.Path)
	if hot {
		from += ", copied by the running bot"
	}
	fmt.Fprintf(stdout, "backup: wrote %s (%s) from %s\n", fs.Arg(0), humanBytes(n), from)
	return exitOK
}

// pgDumpHint says how to back up a PostgreSQL database: with its own
// tools, which copy it consistently while the bot runs.
func pgDumpHint(sc StorageConfig) string {
	return fmt.Sprintf("storage.driver is postgres: back up the database %s with PostgreSQL's own tools, e.g. "+
		"pg_dump --format=custom --file=herald.dump \"$HERALD_DATABASE_URL\" (restore with pg_restore; see README \"Storage: bbolt or PostgreSQL\")", sc.shown())
}

// errNoDatabase is backupTo's answer when storage.path names no file, so
// backup can point to the demo's database instead.
var errNoDatabase = errors.New("there is no database")

// backupTo copies the database at dbPath to target: directly when no bot
// runs, else through the running bot (which holds the file lock).
func backupTo(ctx context.Context, dbPath, target string) (n int64, hot bool, err error) {
	shown := filepath.Clean(dbPath)
	if missing(dbPath) {
		return 0, false, fmt.Errorf("%w at %s — check storage.path (or -config)", errNoDatabase, shown)
	}
	if abs(dbPath) == abs(target) {
		return 0, false, fmt.Errorf("%s is the database itself — choose another file name", target)
	}
	if dir := filepath.Dir(target); !isDir(dir) {
		return 0, false, fmt.Errorf("the directory %s does not exist — create it first (mkdir -p %s) or choose another path", dir, dir)
	}
	store, err := storage.Open(dbPath, storage.Options{LockTimeout: time.Second, ReadOnly: true})
	switch {
	case errors.Is(err, storage.ErrLocked):
		n, err := backupFromRunningBot(ctx, dbPath, target)
		return n, true, err
	case errors.As(err, new(*storage.DamagedError)):
		line, _ := damagedLine(err)
		return 0, false, errors.New(line)
	case errors.Is(err, storage.ErrCorrupt):
		return 0, false, fmt.Errorf("%s is not a Herald database (%w) — check storage.path", shown, err)
	case err != nil:
		return 0, false, fmt.Errorf("cannot open %s: %w", shown, err)
	}
	defer store.Close()
	n, err = writeAtomically(target, store.Backup, checkCopy)
	return n, false, err
}

// backupFromRunningBot asks the bot that holds the lock for a hot copy
// (see backup_route.go).
func backupFromRunningBot(ctx context.Context, dbPath, target string) (int64, error) {
	shown := filepath.Clean(dbPath)
	data, err := os.ReadFile(controlPath(dbPath))
	var ctl controlFile
	if err == nil {
		err = json.Unmarshal(data, &ctl)
	}
	if err != nil || ctl.HTTPAddr == "" || ctl.BackupToken == "" {
		return 0, fmt.Errorf("herald is running with %s but cannot be asked for a backup (%s is missing or unreadable) — stop it and run the backup again", shown, controlPath(shown))
	}
	url := "http://" + loopbackAddr(ctl.HTTPAddr) + "/internal/backup"
	return writeAtomically(target, func(w io.Writer) (int64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set(backupTokenHeader, ctl.BackupToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("herald is running with %s but did not answer at %s: %w", shown, ctl.HTTPAddr, err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("the running herald refused the backup (%s) — is %s from another run? Stop it and back up again", res.Status, controlPath(shown))
		}
		n, err := io.Copy(w, res.Body)
		if err == nil && res.Trailer.Get(backupErrorTrailer) != "" {
			err = fmt.Errorf("the running herald failed: %s", res.Trailer.Get(backupErrorTrailer))
		}
		return n, err
	}, checkCopy)
}

// loopbackAddr turns a wildcard listen address (":8080", "0.0.0.0:8080")
// into one on the loopback interface.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// writeAtomically writes target through fill: into a temporary file beside
// it, synced, then renamed, so an interrupted backup never leaves a
// half-written file under the final name. check (nil: none) vets the
// written file before it takes its name.
func writeAtomically(target string, fill func(io.Writer) (int64, error), check func(path string) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("cannot write next to %s: %w", target, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := fill(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", target, err)
	}
	if check == nil {
		check = func(string) error { return nil }
	}
	if err := check(tmp.Name()); err != nil {
		return 0, fmt.Errorf("%w — %s was not written; keep your earlier backups", err, target)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return 0, fmt.Errorf("write %s: %w", target, err)
	}
	return n, nil
}

// checkCopy runs bbolt's consistency check (and storage's record checks)
// on a copy just written. A copy is made page by page, so damage in the
// source shows up here: the backup fails instead of reporting success.
func checkCopy(path string) error {
	rep, err := storage.CheckFile(path)
	switch {
	case err != nil && len(rep.Problems) == 0:
		var de *storage.DamagedError
		if errors.As(err, &de) {
			return fmt.Errorf("the copy is damaged (%s), so the database is: run \"herald check-db\" on it with the bot stopped", de.Reason)
		}
		return fmt.Errorf("the copy does not open: %w", err)
	case len(rep.Problems) > 0:
		return fmt.Errorf("the copy is damaged (%d problems, first: %s), so the database is: run \"herald check-db\" on it with the bot stopped", len(rep.Problems), rep.Problems[0])
	}
	return nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return a
}

// humanBytes formats a size as operators read it: "312 KiB", "1.4 MiB".
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// missing reports whether nothing exists at p (an unreadable path is not
// missing: opening it says why).
func missing(p string) bool {
	_, err := os.Stat(p)
	return errors.Is(err, os.ErrNotExist)
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
