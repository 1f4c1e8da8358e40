package storage

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Hot backups of a running bot. The bot holds bbolt's exclusive file lock,
// and a read-only open needs a shared one, so `bot backup` cannot open the
// file while the bot runs. Instead the running bot serves backups on a
// Unix socket beside the database (BackupSocketPath): whoever may read the
// directory may take a copy, and nothing is exposed on the network. A
// connection receives one line "HERALD-BACKUP 1 <size>" and then the
// bytes of one read transaction (bbolt's Tx.WriteTo), so the copy is
// consistent while writes go on. BackupDatabase is the client: it asks the
// socket first and opens the file read-only when no bot is running.

const backupMagic = "HERALD-BACKUP 1"

// backupStall bounds how long a backup client may stop reading: a stuck
// client must not hold a read transaction (and so the file's growth) forever.
const backupStall = 30 * time.Second

// BackupSocketPath is where a running bot serves backups of the database
// at dbPath: beside it, or in the temp directory when that path is too
// long for a Unix socket.
func BackupSocketPath(dbPath string) string {
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		abs = filepath.Clean(dbPath)
	}
	if p := abs + ".backup.sock"; len(p) < 100 {
		return p
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "herald-"+hex.EncodeToString(sum[:8])+".sock")
}

// ServeBackups serves hot backups on BackupSocketPath(s.Path()) until ctx
// ends or the store closes; it returns nil then. Run it in a goroutine
// beside the bot's other servers.
func (s *Store) ServeBackups(ctx context.Context) error {
	if s.db.IsReadOnly() {
		return errors.New("storage: serve backups: the store is read-only")
	}
	path := BackupSocketPath(s.path)
	// We hold the database's exclusive lock, so a socket file left here is
	// a crashed bot's: nobody else serves this database.
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("storage: serve backups on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		_ = ln.Close()
		return fmt.Errorf("storage: serve backups on %s: %w", path, err)
	}
	s.backupMu.Lock()
	s.backupLn = ln
	s.backupMu.Unlock()
	stop := context.AfterFunc(ctx, s.stopBackupServer)
	defer stop()
	defer os.Remove(path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("storage: serve backups: %w", err)
		}
		go s.serveBackup(conn)
	}
}

func (s *Store) serveBackup(conn net.Conn) {
	defer conn.Close()
	w := &stallWriter{conn: conn}
	start := time.Now()
	var n int64
	err := s.view("serve backup", func(tx *bolt.Tx) error {
		if _, err := fmt.Fprintf(w, "%s %d\n", backupMagic, tx.Size()); err != nil {
			return err
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		s.logger.Warn("backup not completed", "err", err)
		return
	}
	s.logger.Info("backup served", "bytes", n, "took_ms", time.Since(start).Milliseconds())
}

// stallWriter gives every write backupStall to make progress.
type stallWriter struct{ conn net.Conn }

func (w *stallWriter) Write(p []byte) (int, error) {
	_ = w.conn.SetWriteDeadline(time.Now().Add(backupStall))
	return w.conn.Write(p)
}

func (s *Store) stopBackupServer() {
	s.backupMu.Lock()
	defer s.backupMu.Unlock()
	if s.backupLn != nil {
		_ = s.backupLn.Close()
		s.backupLn = nil
	}
}

// BackupDatabase copies the database at dbPath to target (through a
// temporary file and a rename). When a bot running with dbPath serves
// backups (ServeBackups) the copy comes from it, while it keeps working;
// otherwise the file is opened read-only. A bot that runs but does not
// serve backups makes this fail with an error wrapping ErrLocked; a file
// that is not a database, one wrapping ErrCorrupt.
func BackupDatabase(ctx context.Context, dbPath, target string, lockTimeout time.Duration) (int64, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", BackupSocketPath(dbPath))
	if err == nil {
		defer conn.Close()
		stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
		defer stop()
		return writeFileAtomic(target, func(w io.Writer) (int64, error) { return receiveBackup(conn, w) })
	}
	if _, err := os.Stat(dbPath); err != nil {
		return 0, fmt.Errorf("storage: backup %s: %w", dbPath, err)
	}
	if lockTimeout <= 0 {
		lockTimeout = defaultLockTimeout
	}
	db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if err != nil {
		return 0, openError(dbPath, err)
	}
	defer db.Close()
	return writeFileAtomic(target, func(w io.Writer) (int64, error) {
		var n int64
		err := db.View(func(tx *bolt.Tx) error {
			var err error
			n, err = tx.WriteTo(w)
			return err
		})
		return n, err
	})
}

// receiveBackup reads one served backup into w, checking it is whole.
func receiveBackup(r io.Reader, w io.Writer) (int64, error) {
	br := bufio.NewReader(r)
	line, err := br.ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("read backup header: %w", err)
	}
	sizeText, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), backupMagic+" ")
	size, perr := strconv.ParseInt(sizeText, 10, 64)
	if !ok || perr != nil || size < 0 {
		return 0, fmt.Errorf("unexpected backup header %q", line)
	}
	n, err := io.Copy(w, io.LimitReader(br, size))
	if err != nil {
		return n, fmt.Errorf("read backup: %w", err)
	}
	if n != size {
		return n, fmt.Errorf("backup cut short: %d of %d bytes", n, size)
	}
	return n, nil
}
