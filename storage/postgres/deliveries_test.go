package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/jackc/pgx/v5"
)

// The pages the hot path and the reports read are served by an index: a
// page of one platform's pending records by deliveries_of_platform, one
// of the failed records by delivery_reported's key (never the sent bulk). (Sequential scans are turned
// off so the plan says whether the index can serve the query at all, not
// what a small table makes cheapest.)
func TestPagesReadTheirIndexes(t *testing.T) {
	s := open(t, pgtest.URL(t))
	b := herald.Broadcast{Name: "indexes"}
	if err := s.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	r := herald.Run{BroadcastID: b.ID}
	if err := s.CreateRun(&r); err != nil {
		t.Fatal(err)
	}
	failedSQL, _ := pageQuery(herald.Failed)
	pendingAll, _ := pageQuery(herald.Pending)
	for _, tc := range []struct {
		sql, index string
		args       []any
	}{
		{pendingSQL, "deliveries_of_platform", []any{r.ID, "line", int64(0), 500}},
		{failedSQL, "delivery_reported_pkey", []any{r.ID, int64(0), 500}},
		{pendingAll, "deliveries_of_platform", []any{r.ID, int64(0), 500}},
	} {
		var plan []string
		err := s.read("explain", func(ctx context.Context, tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `EXPLAIN `+tc.sql, tc.args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				plan = append(plan, line)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(plan, "\n"); !strings.Contains(got, tc.index) {
			t.Errorf("%s\nis planned without %s:\n%s", tc.sql, tc.index, got)
		}
	}
}
