// Package metrics owns Herald's Prometheus registry: every counter, gauge
// and histogram operators scrape from /metrics, with one method per thing
// that happens so callers never touch label names. A nil *Metrics is valid
// and records nothing, so tests and tools can leave it out.
package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldbot/herald"
)

// Webhook results, the values of herald_webhook_requests_total's result label.
const (
	WebhookOK           = "ok"
	WebhookBadSignature = "bad_signature" // missing or wrong signature / secret token
	WebhookBadRequest   = "bad_request"   // unreadable body
	WebhookTooLarge     = "too_large"
	WebhookError        = "error" // could not be recorded; the platform retries
)

// Metrics is the registry and the instruments on it.
type Metrics struct {
	reg *prometheus.Registry

	deliveries     *prometheus.CounterVec
	sendLatency    *prometheus.HistogramVec
	rateLimited    *prometheus.CounterVec
	queueDepth     *prometheus.GaugeVec
	webhooks       *prometheus.CounterVec
	inbound        *prometheus.CounterVec
	inboundRepeats *prometheus.CounterVec
	taps           prometheus.Counter
	writeBatch     prometheus.Histogram
	schedulerLag   prometheus.Histogram
	apiRequests    *prometheus.CounterVec
	followupsDrops prometheus.Counter

	// channels are each channel's send series, made on first use
	// (channel.go).
	channels   atomic.Pointer[map[herald.Account]*channelSeries]
	channelsMu sync.Mutex // serialises adding one
}

// New builds the registry with Go runtime and process collectors.
func New() *Metrics { return NewFor("") }

// NewFor is New with every series labeled instance=name (a deployment of
// several instances, scraped through one address or summed across them);
// an empty name adds no label.
func NewFor(instance string) *Metrics {
	reg := prometheus.NewRegistry()
	var r prometheus.Registerer = reg
	if instance != "" {
		r = prometheus.WrapRegistererWith(prometheus.Labels{"instance": instance}, reg)
	}
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := promauto.With(r) // every instrument below is registered as it is made
	return &Metrics{
		reg: reg,
		deliveries: counterVec(f, "herald_deliveries_total",
			"Broadcast deliveries by channel, account (\"main\" the default) and final outcome (sent, failed, skipped).", "channel", "account", "outcome"),
		sendLatency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_send_duration_seconds",
			Help:    "Time of one platform send call (one HTTP request of a broadcast or test), by channel and account (\"main\" the default).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"channel", "account"}),
		rateLimited: counterVec(f, "herald_rate_limited_total",
			"Platform answers of 429 / rate limit to a send, by channel and account (\"main\" the default).", "channel", "account"),
		queueDepth: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "herald_queue_depth",
			Help: "Deliveries waiting to be sent, summed over the runs sending, by channel and account (\"main\" the default).",
		}, []string{"channel", "account"}),
		webhooks: counterVec(f, "herald_webhook_requests_total",
			"End-user webhook requests by platform, account (\"main\" the default) and result (ok, bad_signature, bad_request, too_large, error).", "platform", "account", "result"),
		inbound: counterVec(f, "herald_inbound_events_total",
			"End-user events recorded, by platform, account (\"main\" the default) and kind (subscribe, unsubscribe, message, tap, …).", "platform", "account", "kind"),
		inboundRepeats: counterVec(f, "herald_inbound_repeats_total",
			"End-user events delivered again (webhook redeliveries, retries) and not applied twice, by platform and account (\"main\" the default).", "platform", "account"),
		taps: counter(f, "herald_button_taps_total",
			"Taps on broadcast buttons (per-broadcast counts are in the broadcast report)."),
		writeBatch: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "herald_subscriber_write_batch_size",
			Help:    "End-user events written per storage transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 7), // 1 … 4096
		}),
		schedulerLag: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "herald_scheduler_lag_seconds",
			Help:    "How late the scheduler started a due broadcast.",
			Buckets: []float64{.1, .5, 1, 5, 15, 60, 300},
		}),
		apiRequests: counterVec(f, "herald_api_requests_total",
			"REST API requests by HTTP status code.", "code"),
		followupsDrops: counter(f, "herald_followups_dropped_total",
			"Best-effort follow-ups (profile fetches, confirmations) dropped because their queue was full."),
	}
}

// counterVec makes and registers a counter with labels; most of Herald's
// instruments are one.
func counterVec(f promauto.Factory, name, help string, labels ...string) *prometheus.CounterVec {
	return f.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// counter makes and registers a counter without labels.
func counter(f promauto.Factory, name, help string) prometheus.Counter {
	return f.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the underlying registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// DefaultAccount is the account label of a platform's default account
// (its top-level settings), whatever admins call it.
const DefaultAccount = "main"

// accountLabel is the account label for an account name ("" the default).
func accountLabel(name string) string {
	if name == "" {
		return DefaultAccount
	}
	return name
}

// Delivery counts one recipient's final outcome on a channel's account
// ("" the default).
func (m *Metrics) Delivery(channel, account, outcome string) {
	if m != nil {
		m.deliveries.WithLabelValues(channel, accountLabel(account), outcome).Inc()
	}
}

// Webhook counts one end-user webhook request by its result (Webhook*).
func (m *Metrics) Webhook(platform, account, result string) {
	if m != nil {
		m.webhooks.WithLabelValues(platform, accountLabel(account), result).Inc()
	}
}

// Inbound counts recorded end-user events of one kind.
func (m *Metrics) Inbound(platform, account, kind string, n int) {
	if m != nil && n > 0 {
		m.inbound.WithLabelValues(platform, accountLabel(account), kind).Add(float64(n))
	}
}

// InboundRepeat counts one end-user event the platform delivered again,
// recognised by its ID and not applied twice.
func (m *Metrics) InboundRepeat(platform, account string) {
	if m != nil {
		m.inboundRepeats.WithLabelValues(platform, accountLabel(account)).Inc()
	}
}

// Taps counts recorded button taps.
func (m *Metrics) Taps(n int) {
	if m != nil && n > 0 {
		m.taps.Add(float64(n))
	}
}

// WriteBatch observes the size of one group commit of end-user events.
func (m *Metrics) WriteBatch(n int) {
	if m != nil {
		m.writeBatch.Observe(float64(n))
	}
}

// SchedulerLag observes how late a due broadcast was started.
func (m *Metrics) SchedulerLag(d time.Duration) {
	if m != nil {
		m.schedulerLag.Observe(max(d, 0).Seconds())
	}
}

// APIRequest counts one REST API answer by status code.
func (m *Metrics) APIRequest(code int) {
	if m != nil {
		m.apiRequests.WithLabelValues(statusLabel(code)).Inc()
	}
}

// FollowupDropped counts a best-effort follow-up dropped under load.
func (m *Metrics) FollowupDropped() {
	if m != nil {
		m.followupsDrops.Inc()
	}
}

func statusLabel(code int) string {
	const digits = "0123456789"
	if code < 100 || code > 999 {
		return "other"
	}
	return string([]byte{digits[code/100], digits[code/10%10], digits[code%10]})
}
