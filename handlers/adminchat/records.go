package adminchat

import (
	"encoding/json"
	"log/slog"
)

// Records is where a Reporter keeps what must outlive a restart, as JSON
// by key (*storage.Store's ProgressMessages and ReportFollowUps).
type Records interface {
	Put(key string, data []byte) error
	All() (map[string][]byte, error)
	Delete(key string) error
}

// records holds a Records' entries in memory as T, read on first use and
// written through; what names one in logs ("progress message"). The
// caller guards it with its own mutex.
type records[T any] struct {
	store  Records // nil: nothing is kept
	what   string
	log    *slog.Logger
	loaded bool
	recs   map[string]*T
}

// load reads the stored entries once; one that cannot be read is logged
// and left out.
func (rs *records[T]) load() {
	if rs.loaded {
		return
	}
	rs.loaded, rs.recs = true, map[string]*T{}
	all, err := rs.store.All()
	if err != nil {
		rs.log.Warn("adminchat: read "+rs.what+"s", "error", err)
		return
	}
	for key, data := range all {
		rec := new(T)
		if err := json.Unmarshal(data, rec); err != nil {
			rs.log.Warn("adminchat: "+rs.what+" unreadable", "key", key, "error", err)
			continue
		}
		rs.recs[key] = rec
	}
}

// put keeps rec under key and stores it; ok is false when storing failed
// (and was logged).
func (rs *records[T]) put(key string, rec *T) (ok bool) {
	rs.recs[key] = rec
	data, err := json.Marshal(rec)
	if err == nil {
		err = rs.store.Put(key, data)
	}
	if err != nil {
		rs.log.Warn("adminchat: keep "+rs.what, "key", key, "error", err)
	}
	return err == nil
}

// drop forgets the entry under key, if any; ok is false when deleting it
// failed (and was logged).
func (rs *records[T]) drop(key string) (ok bool) {
	if _, had := rs.recs[key]; !had {
		return true
	}
	delete(rs.recs, key)
	if err := rs.store.Delete(key); err != nil {
		rs.log.Warn("adminchat: forget "+rs.what, "key", key, "error", err)
		return false
	}
	return true
}
