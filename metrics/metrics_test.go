package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandlerExposesWhatWasRecorded(t *testing.T) {
	m := New()
	m.Delivery("line", "", "sent")
	m.Delivery("line", "shop", "sent")
	m.SendLatency("telegram", 120*time.Millisecond)
	m.RateLimited("messenger")
	m.SetQueueDepth("line", 42)
	m.Webhook("line", "shop", WebhookBadSignature)
	m.Inbound("telegram", "", "subscribe", 3)
	m.InboundRepeat("line", "")
	m.Taps(2)
	m.WriteBatch(100)
	m.SchedulerLag(2 * time.Second)
	m.APIRequest(404)
	m.FollowupDropped()

	body := scrape(t, m)
	for _, want := range []string{
		`herald_deliveries_total{account="main",channel="line",outcome="sent"} 1`,
		`herald_deliveries_total{account="shop",channel="line",outcome="sent"} 1`,
		`herald_send_duration_seconds_count{channel="telegram"} 1`,
		`herald_rate_limited_total{channel="messenger"} 1`,
		`herald_queue_depth{channel="line"} 42`,
		`herald_webhook_requests_total{account="shop",platform="line",result="bad_signature"} 1`,
		`herald_inbound_events_total{account="main",kind="subscribe",platform="telegram"} 3`,
		`herald_inbound_repeats_total{account="main",platform="line"} 1`,
		`herald_button_taps_total 2`,
		`herald_subscriber_write_batch_size_count 1`,
		`herald_scheduler_lag_seconds_count 1`,
		`herald_api_requests_total{code="404"} 1`,
		`herald_followups_dropped_total 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	m.Delivery("line", "", "sent")
	m.Webhook("line", "", WebhookOK)
	m.SchedulerLag(time.Second)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Errorf("nil Metrics handler answered %d, want 404", rec.Code)
	}
}
