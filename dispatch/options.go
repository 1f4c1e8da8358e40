package dispatch

import (
	"context"
	"log/slog"
	"time"

	"github.com/heraldbot/herald"
)

// Limits tune the senders' rate classes (RateClass): each class gets the
// rate its sender declares unless PerSecond names it.
type Limits struct {
	// PerSecond sets a class's requests per second by its name, over the
	// sender's default and over Off; 0 is no limit.
	PerSecond map[string]float64
	// Off lifts every class's limit that PerSecond does not set
	// (benchmarks, tests).
	Off bool
	// MulticastSize caps recipients per multicast below the sender's own
	// cap (Multicaster: a LINE multicast, a Messenger batch); 0 keeps the
	// sender's. Tests use it; operators set a sender's own size (a
	// Messenger batch's class rate is made for that one).
	MulticastSize int
	// Headroom is the fraction of each rate actually used (default 0.97):
	// requests are spaced evenly at rate×Headroom so network jitter never
	// pushes any one-second window over the platform's limit.
	Headroom float64
}

// Backoff bounds retries of temporary failures (5xx, network).
type Backoff struct {
	Base        time.Duration // first wait (default 500 ms), doubled each try
	Max         time.Duration // cap (default 30 s)
	MaxAttempts int           // tries in all before failing (default 5)
}

// Options tune the engine; cmd/bot fills them from config. Zero values get
// the defaults documented on each field.
type Options struct {
	Limits  Limits
	Backoff Backoff
	// Workers is the number of concurrent sends per channel (default 16).
	Workers int
	// PageSize is how many pending records a channel reads at once (1,000).
	PageSize int
	// SnapshotBatch is how many recipients the snapshot writes per
	// transaction (5,000). Nothing is sent until the snapshot ends, and
	// each transaction waits for two fsyncs: at 1,000 a busy disk made a
	// million-recipient snapshot most of a run's first eight seconds.
	// Batches of 20,000 raised a run's peak RSS by a third; 5,000 did not.
	SnapshotBatch int
	// CommitBatch and CommitInterval bound the outcomes held before a group
	// commit (500, 200 ms): together with Workers they are the crash bound.
	CommitBatch    int
	CommitInterval time.Duration
	// FailureThreshold pauses a run when more than this fraction of its
	// finished recipients failed (0.05), once FailureMinSample recipients
	// have finished (200). Recipients who blocked the bot do not count:
	// they say nothing about the broadcast. A negative threshold disables it.
	FailureThreshold float64
	FailureMinSample int
	// ControlPoll is how often a run re-reads its status from storage so a
	// pause or cancel made elsewhere takes effect (500 ms).
	ControlPoll time.Duration
	// Now and Sleep are the clock; tests inject them so backoffs and
	// retry-after waits do not sleep.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0,1) for backoff jitter (math/rand/v2).
	Jitter func() float64
	Logger *slog.Logger
	// DeliverAt says when a recipient may get a broadcast at the earliest:
	// their own local time for user-timezone schedules, or the end of their
	// quiet hours (schedule.Zones.DeliverAt). Zero means at once; nil sends
	// everyone at once.
	DeliverAt func(b *herald.Broadcast, sub *herald.Subscriber, now time.Time) time.Time
	// Events hears progress and reports (nil: nobody).
	Events Events
	// Observer hears each request's time, each rate-limit answer and how
	// many recipients wait, by channel (nil: nobody): metrics.
	Observer Observer
	// OnUncertain is what a resumed run does with the recipients a crash
	// left in flight (ResendUncertain when empty).
	OnUncertain Uncertain
	// Accounts are the senders of platforms' named accounts (several
	// LINE channels, Telegram bots, Messenger pages), beside New's one per
	// platform for its default account. Each has its own rate classes:
	// their names get "@account" (AccountClass), so two accounts on one
	// platform never share a limit.
	Accounts map[herald.Account]Sender
	// TrackLink, when set, is the tracked URL that replaces link number
	// button for the recipient seq (handlers/clicks): a URL button (its
	// index in the content) or a link in the text (herald.FirstTextLink
	// on, see herald.Content.TrackLinks). A broadcast with URL buttons or
	// links in its text is then sent one recipient per request, never
	// multicast: each recipient's links differ.
	TrackLink func(broadcastID string, seq uint32, button int) string
}

func (o *Options) withDefaults() {
	if o.Limits.Headroom <= 0 || o.Limits.Headroom > 1 {
		o.Limits.Headroom = 0.97
	}
	setDefault(&o.Backoff.Base, 500*time.Millisecond)
	setDefault(&o.Backoff.Max, 30*time.Second)
	setDefault(&o.Backoff.MaxAttempts, 5)
	setDefault(&o.Workers, 16)
	setDefault(&o.PageSize, 1000)
	setDefault(&o.SnapshotBatch, 5000)
	setDefault(&o.CommitBatch, 500)
	setDefault(&o.CommitInterval, 200*time.Millisecond)
	setDefault(&o.FailureThreshold, 0.05)
	setDefault(&o.FailureMinSample, 200)
	setDefault(&o.ControlPoll, 500*time.Millisecond)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = SleepCtx
	}
	if o.Jitter == nil {
		o.Jitter = randFloat
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OnUncertain == "" {
		o.OnUncertain = ResendUncertain
	}
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}
