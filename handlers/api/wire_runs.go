package api

import (
	"maps"
	"slices"
	"time"

	"github.com/heraldbot/herald"
)

// A broadcast's runs as the API shows them: tallies by platform and, when
// a run reached a named account, by account.

type tallyJSON struct {
	Pending int `json:"pending"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

func toTallyJSON(t herald.Tally) tallyJSON { return tallyJSON{t.Pending, t.Sent, t.Failed, t.Skipped} }

type runJSON struct {
	ID      string                        `json:"id"`
	N       int                           `json:"n"`
	Status  string                        `json:"status"`
	RetryOf string                        `json:"retry_of,omitempty"`
	Total   int                           `json:"total"`
	Tally   map[herald.Platform]tallyJSON `json:"tally"`
	// ByAccount breaks the run down by account ("line:shop", "line" the
	// default) when it reached a named account.
	ByAccount   map[string]tallyJSON `json:"by_account,omitempty"`
	StartedAt   *time.Time           `json:"started_at,omitempty"`
	FinishedAt  *time.Time           `json:"finished_at,omitempty"`
	PauseReason string               `json:"pause_reason,omitempty"`
}

func toRunJSON(r herald.Run) runJSON {
	out := runJSON{ID: r.ID, N: r.N, Status: string(r.Status), RetryOf: r.RetryOf, Total: r.Total,
		Tally: map[herald.Platform]tallyJSON{}, StartedAt: timePtr(r.StartedAt), FinishedAt: timePtr(r.FinishedAt),
		PauseReason: r.PauseReason}
	for _, p := range slices.Sorted(maps.Keys(r.Tally)) {
		out.Tally[p] = toTallyJSON(r.Tally[p])
	}
	for acc, t := range r.AccountTallies() {
		if out.ByAccount == nil {
			out.ByAccount = map[string]tallyJSON{}
		}
		out.ByAccount[acc.String()] = toTallyJSON(t)
	}
	return out
}
