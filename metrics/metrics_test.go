package metrics

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

func TestHandlerExposesWhatWasRecorded(t *testing.T) {
	m := New()
	m.Delivery("line", "", "sent")
	m.Delivery("line", "shop", "sent")
	m.SendDone(herald.Account{Platform: herald.Telegram}, 120*time.Millisecond)
	m.SendDone(herald.Account{Platform: herald.Telegram}, 80*time.Millisecond)
	m.RateLimited(herald.Account{Platform: herald.Messenger, Name: "shop"})
	m.Queued(herald.Account{Platform: herald.LINE}, 50)
	m.Queued(herald.Account{Platform: herald.LINE}, -8)
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
		`herald_send_duration_seconds_count{account="main",channel="telegram"} 2`,
		`herald_send_duration_seconds_sum{account="main",channel="telegram"} 0.2`,
		`herald_rate_limited_total{account="shop",channel="messenger"} 1`,
		`herald_queue_depth{account="main",channel="line"} 42`,
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
	m.SendDone(herald.Account{Platform: herald.LINE}, time.Second)
	m.RateLimited(herald.Account{Platform: herald.LINE})
	m.Queued(herald.Account{Platform: herald.LINE}, 1)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 404 {
		t.Errorf("nil Metrics handler answered %d, want 404", rec.Code)
	}
}

// The engine reports every request of a broadcast (~30k a second): after
// a channel's first, reporting one allocates nothing.
func TestSendDoneAllocatesNothing(t *testing.T) {
	m := New()
	shop := herald.Account{Platform: herald.LINE, Name: "shop"}
	m.SendDone(shop, time.Millisecond)
	if n := testing.AllocsPerRun(1000, func() { m.SendDone(shop, time.Millisecond) }); n != 0 {
		t.Errorf("SendDone allocates %v times a call, want 0", n)
	}
}

// BenchmarkSendDone is the cost a request of a broadcast pays for being
// timed, with every worker reporting at once.
func BenchmarkSendDone(b *testing.B) {
	m := New()
	shop := herald.Account{Platform: herald.LINE, Name: "shop"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.SendDone(shop, time.Millisecond)
		}
	})
}
