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
	scrapeHas(t, m, `herald_deliveries_total{account="main",channel="line",outcome="sent"} 5`,
		`herald_deliveries_total{account="main",channel="line",outcome="failed"} 2`,
		`herald_deliveries_total{account="main",channel="telegram",outcome="skipped"} 3`)
}

// A run that reached LINE · Shop counts its outcomes under account="shop"
// and the rest of LINE's under account="main".
func TestFinishedRunsCountDeliveriesByAccount(t *testing.T) {
	m := New()
	shop := herald.Account{Platform: herald.LINE, Name: "shop"}
	m.Publish(context.Background(), herald.RunFinished{Report: herald.Report{
		Progress: herald.Progress{Channels: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 7, Failed: 1}},
			Accounts: map[herald.Account]herald.Tally{{Platform: herald.LINE}: {Sent: 4}, shop: {Sent: 3, Failed: 1}}}}})
	body := scrapeHas(t, m, `herald_deliveries_total{account="main",channel="line",outcome="sent"} 4`,
		`herald_deliveries_total{account="shop",channel="line",outcome="sent"} 3`,
		`herald_deliveries_total{account="shop",channel="line",outcome="failed"} 1`)
	if strings.Contains(body, `account="main",channel="line",outcome="failed"`) {
		t.Errorf("LINE · Shop's failure is counted under main too")
	}
}

// scrapeHas scrapes m, fails for each of want it lacks, and returns the
// scrape.
func scrapeHas(t *testing.T, m *Metrics, want ...string) string {
	t.Helper()
	body := scrape(t, m)
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("metrics lack %s", w)
		}
	}
	return body
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
