package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
)

// A running bot holds the database's file lock, so `herald backup` cannot
// open the file itself. Instead it asks the running bot: the bot writes a
// control file beside the database (mode 0600: whoever can read it can read
// the database anyway) with its HTTP address and a random token, and serves
// GET /internal/backup to loopback callers presenting that token.

// controlFile is what a running bot tells `herald backup` about itself.
type controlFile struct {
	PID         int    `json:"pid"`
	HTTPAddr    string `json:"http_addr"`
	BackupToken string `json:"backup_token"`
}

// backupTokenHeader carries the control file's token.
const backupTokenHeader = "X-Herald-Backup-Token"

// backupErrorTrailer reports a failure after the copy has started streaming,
// so a truncated copy is never taken for a good one.
const backupErrorTrailer = "X-Herald-Backup-Error"

func controlPath(dbPath string) string { return dbPath + ".control" }

// writeControlFile publishes the address and a fresh token for this run.
func (a *app) writeControlFile() error {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported systems
	a.backupToken = hex.EncodeToString(buf)
	data, err := json.Marshal(controlFile{PID: os.Getpid(), HTTPAddr: a.addr, BackupToken: a.backupToken})
	if err != nil {
		return err
	}
	if err := os.WriteFile(controlPath(a.cfg.Storage.Path), data, 0o600); err != nil {
		return fmt.Errorf("write control file: %w", err)
	}
	return nil
}

func (a *app) removeControlFile() { _ = os.Remove(controlPath(a.cfg.Storage.Path)) }

// addBackupRoutes serves the hot backup described above.
func (a *app) addBackupRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /internal/backup", func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		token := r.Header.Get(backupTokenHeader)
		if a.backupToken == "" || ip == nil || !ip.IsLoopback() ||
			subtle.ConstantTimeCompare([]byte(token), []byte(a.backupToken)) != 1 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Trailer", backupErrorTrailer)
		n, err := a.store.Backup(w)
		if err != nil {
			a.logger.Error("backup failed", "err", err, "bytes", n)
			w.Header().Set(backupErrorTrailer, err.Error())
			return
		}
		a.logger.Info("backup sent", "bytes", n)
	})
}
