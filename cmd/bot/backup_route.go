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
	"time"

	"github.com/heraldbot/herald/handlers/api"
	"github.com/heraldbot/herald/storage"
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

// writeControlFile publishes the address and a fresh token for this run;
// with PostgreSQL there is no file to lock nor to copy (pg_dump backs it
// up), so nothing.
func (a *app) writeControlFile() error {
	if a.cfg.Storage.postgres() {
		return nil
	}
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

func (a *app) removeControlFile() {
	if !a.cfg.Storage.postgres() {
		_ = os.Remove(controlPath(a.cfg.Storage.Path))
	}
}

// addBackupRoutes serves the hot backup described above. The token comes
// in backupTokenHeader (what `bot backup` sends) or as "Authorization:
// Bearer <token>", the scheme in any case. A refused request is logged once
// with why, never with the token, and answered 404 as if the route did not
// exist. Only a bbolt file has it.
func (a *app) addBackupRoutes(mux *http.ServeMux) {
	file, ok := a.store.(*storage.Store)
	if !ok {
		return
	}
	mux.HandleFunc("GET /internal/backup", func(w http.ResponseWriter, r *http.Request) {
		if why := a.refuseBackup(r); why != "" {
			a.logger.Warn("backup request refused", "reason", why, "remote_addr", r.RemoteAddr)
			http.NotFound(w, r)
			return
		}
		// A copy of a big database may take longer than http.write_timeout.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Trailer", backupErrorTrailer)
		n, err := file.Backup(w)
		if err != nil {
			a.logger.Error("backup failed", "error", err, "bytes", n)
			w.Header().Set(backupErrorTrailer, err.Error())
			return
		}
		a.logger.Info("backup sent", "bytes", n)
	})
}

// refuseBackup says why r may not have a backup; empty: it may.
func (a *app) refuseBackup(r *http.Request) string {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return "not from the loopback interface"
	}
	token, why := r.Header.Get(backupTokenHeader), ""
	if token == "" {
		if token, why = api.BearerToken(r.Header.Get("Authorization")); why != "" {
			return why
		}
	}
	if a.backupToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(a.backupToken)) != 1 {
		return "the token is not this run's (see the control file)"
	}
	return ""
}
