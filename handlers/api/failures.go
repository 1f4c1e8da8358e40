package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
)

// failuresPage is how many deliveries are read per storage call while the
// CSV streams, so a run of a million recipients never sits in memory.
const failuresPage = 1000

// failuresCSV streams every failed delivery of every run of a broadcast.
func (s *Server) failuresCSV(w http.ResponseWriter, r *http.Request, _ string) {
	id, _, runs, err := s.broadcastRuns(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Read the first page before answering, so a storage error is still a
	// JSON error rather than a cut CSV.
	var first []herald.Delivery
	if len(runs) > 0 {
		if first, err = s.opts.Store.Deliveries(runs[0].ID, herald.Failed, 0, failuresPage); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`-failures.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"run_id", "platform", "recipient_id", "reason", "attempts", "at"})
	for i, run := range runs {
		page := first
		var after uint32
		for {
			if i > 0 || after > 0 {
				if page, err = s.opts.Store.Deliveries(run.ID, herald.Failed, after, failuresPage); err != nil {
					s.log.Error("api: failures CSV cut short", "broadcast_id", id, "error", err)
					cw.Flush()
					return
				}
			}
			for _, d := range page {
				_ = cw.Write([]string{run.ID, string(d.Recipient.Platform), d.Recipient.ID, d.Reason,
					strconv.Itoa(d.Attempts), formatTime(d.At)})
			}
			if len(page) < failuresPage {
				break
			}
			after = page[len(page)-1].Seq
		}
		cw.Flush()
	}
	cw.Flush()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
