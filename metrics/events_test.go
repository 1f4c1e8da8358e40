package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// A finished run's outcomes reach herald_deliveries_total by channel;
// progress does not count (it would count recipients twice).
func TestFinishedRunsCountDeliveries(t *testing.T) {
	m := New()
	ch := map[herald.Platform]herald.Tally{herald.LINE: {Sent: 5, Failed: 2}, herald.Telegram: {Sent: 1, Skipped: 3}}
	m.Publish(context.Background(), herald.RunProgress{Progress: herald.Progress{Channels: ch}})
	m.Publish(context.Background(), herald.RunFinished{Report: herald.Report{Progress: herald.Progress{Channels: ch}}})
	body := scrape(t, m)
	for _, want := range []string{
		`herald_deliveries_total{channel="line",outcome="sent"} 5`,
		`herald_deliveries_total{channel="line",outcome="failed"} 2`,
		`herald_deliveries_total{channel="telegram",outcome="skipped"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// scrape is what a Prometheus scrape of m reads.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
