package main

// wire builds the bot's parts between the database and the HTTP server, in
// the order they depend on each other: the events sink → dispatch → the
// broadcasts service → flows → admin frontends → scheduler; then the
// scheduler, the admin chats' reporter and metrics subscribe to the sink,
// and the inbound routes (webhooks, the API) are mounted.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/dispatch"
	dline "github.com/heraldbot/herald/dispatch/line"
	dmessenger "github.com/heraldbot/herald/dispatch/messenger"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/sequences"
)

// appOptions are what differs between the real bot, the demo and tests.
type appOptions struct {
	// Console, when set, is the demo's admin frontend: it gets progress
	// and reports, and every admin may act (one person at one terminal).
	Console adminchat.Surface
	// Offers records the Undo messages the console posted (with Console).
	Offers *adminchat.Offers
	// SchedulerNow is the scheduler's clock (tests drive it with Tick;
	// default time.Now).
	SchedulerNow func() time.Time
	// ProgressInterval is the least time between two progress messages of
	// one run (default 3s).
	ProgressInterval time.Duration
}

// parts are the wired components; app owns them.
type parts struct {
	metrics    *metrics.Metrics
	events     *eventSink
	broadcasts *broadcasts.Service
	flows      *flows.Engine
	dispatch   *dispatch.Engine
	sched      *schedule.Scheduler
	sequences  *sequences.Service
	fe         *adminFrontends
	// ctx ends the background loops (scheduler, reporter, Slack socket).
	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup
}

// wire builds every part and mounts the inbound routes on mux; start runs them.
func (a *app) wire(mux *http.ServeMux, opts appOptions) error {
	cfg := a.cfg
	if opts.SchedulerNow == nil {
		opts.SchedulerNow = time.Now
	}
	cat, err := locales.New(cfg.Locale)
	if err != nil {
		return fmt.Errorf("locale: %w", err)
	}
	loc := cfg.Location()
	p := &parts{metrics: metrics.NewFor(a.instance()), events: &eventSink{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	a.parts = p

	// dispatch sends; it publishes run progress and reports to the sink.
	senders, err := newSenders(&cfg, a.mediaURL, a.store)
	if err != nil {
		return err
	}
	named, err := newAccountSenders(&cfg, a.mediaURL, a.store)
	if err != nil {
		return err
	}
	d := cfg.Dispatch
	zones := schedule.NewZones(loc)
	quiet := defaultQuietHours(cfg.Schedule.QuietHours)
	trackLink, err := a.addClickRoutes(mux)
	if err != nil {
		return err
	}
	p.dispatch = dispatch.New(a.store, senders, dispatch.Options{
		Limits:           accountLimits(&cfg, senderLimits(&cfg)),
		Accounts:         named,
		Backoff:          dispatch.Backoff{MaxAttempts: d.MaxRetries},
		FailureThreshold: d.FailurePauseRatio, FailureMinSample: d.FailurePauseAfter,
		OnUncertain: dispatch.Uncertain(d.OnUncertain),
		Logger:      a.logger,
		// quiet is the bot's default; a broadcast's own setting (a window,
		// or off) wins over it.
		DeliverAt: func(b *herald.Broadcast, sub *herald.Subscriber, now time.Time) time.Time {
			return zones.DeliverAt(b, sub, quiet, now)
		},
		Events:    p.events,
		TrackLink: trackLink,
		// metrics time each request and count 429s and waiting recipients.
		Observer: p.metrics,
	})

	// With several instances, what starts or steers a run goes to the
	// instance that sends (cluster_forward.go).
	runs := a.runsFor(p.dispatch)

	// sequences hand their due steps to dispatch as runs of hidden step
	// broadcasts, and move people on when those runs end.
	p.sequences = sequences.New(sequences.Options{Store: a.store, Runs: runs,
		Timing: schedule.StepTiming{Zones: zones, Quiet: quiet}, Now: opts.SchedulerNow, Logger: a.logger})
	// the store notes follows, taps, tags and unsubscribes with the change
	// itself; the loop wakes to apply them.
	// With several instances, the one that sends runs the loop.
	if c := a.cluster; c != nil {
		a.store.OnSequenceNotes(c.sequenceNotes(p.sequences.Kick))
	} else {
		a.store.OnSequenceNotes(p.sequences.Kick)
	}

	// the service decides every change to a broadcast (the chat, the API
	// and the cards' buttons are its doors) and publishes it.
	f := cfg.Flows
	quota, _ := senders[herald.LINE].(herald.QuotaReader) // nil without LINE
	p.broadcasts, err = broadcasts.New(broadcasts.Options{Store: a.store, Runs: runs, Events: p.events,
		MinLeadTime: f.MinLeadTime.D(), UndoDelay: f.UndoDelay.D(), ApprovalThreshold: f.ApprovalThreshold,
		Location: loc, Logger: a.logger, Quota: quota})
	if err != nil {
		return fmt.Errorf("broadcasts: %w", err)
	}

	// flows is the conversation; the admin frontends carry it.
	access := adminchat.AccessByFrontend{}
	var flowAccess flows.Access = access
	channels := deliveryChannels(&cfg)
	if opts.Console != nil {
		flowAccess = flows.AllowAll{}
	}
	feCfg := cfg
	if len(channels) == 0 {
		// Nothing to broadcast to: the admin side would only say so. The
		// HTTP side (health, API, metrics) still runs.
		a.logger.Warn("no delivery channel configured: admin conversations are off; set line, telegram or messenger credentials")
		feCfg.Slack = SlackConfig{}
	} else {
		p.flows, err = flows.New(flows.Config{Store: a.store, Catalog: cat, Access: flowAccess, Broadcasts: p.broadcasts,
			Tests: p.dispatch, Estimates: p.dispatch, AsksApprovers: true,
			Channels: channels, Accounts: flowAccounts(&cfg), AdminAccounts: adminAccounts(&cfg), Location: loc, SessionTTL: f.SessionTTL.D(), UndoDelay: f.UndoDelay.D(),
			MinLeadTime: f.MinLeadTime.D(), ApprovalThreshold: f.ApprovalThreshold, CSVMaxBytes: f.CSVMaxBytes, Logger: a.logger,
			QuietHours: defaultQuietHours(cfg.Schedule.QuietHours), Roster: a.store, LINEFollowers: lineFollowers(&cfg), Interim: lazyInterim{p},
			TrackClicks: cfg.PublicBaseURL != "", Quota: quota, Sequences: p.sequences})
		if err != nil {
			return fmt.Errorf("flows: %w", err)
		}
	}
	var pv previews
	if tg, ok := senders[herald.Telegram].(*dtelegram.Sender); ok {
		pv.telegram = tg
	}
	if cfg.PublicBaseURL != "" {
		pv.mediaURL = a.mediaURL
	}
	p.fe, err = newAdminFrontends(feCfg, p.flows, a.store, cat, access, a.logger, opts, pv)
	if err != nil {
		return fmt.Errorf("admin frontends: %w", err)
	}

	// the scheduler starts broadcasts when due and publishes heads-ups and
	// missed ones.
	p.sched = schedule.New(a.store, p.dispatch, p.events, schedule.Options{Location: loc,
		MissedGrace: cfg.Schedule.MissedGrace.D(), HeadsUp: cfg.Schedule.HeadsUp.D(), Retention: cfg.Schedule.Retention.D(),
		Now: opts.SchedulerNow, Logger: a.logger, Tests: p.broadcasts})

	// who hears what happened: the scheduler plans again, the admin chats
	// tell people, metrics count.
	p.events.subscribe(p.sched, p.fe.Reporter, p.metrics, p.sequences)
	if a.cluster != nil {
		p.events.subscribe(a.cluster)
	}

	if p.fe.Slack != nil && !p.fe.socket {
		mux.Handle("/slack/events", p.fe.slackHTTP())
	}
	deps := inboundDeps{Metrics: p.metrics, Releaser: runs, Broadcasts: p.broadcasts, Admin: p.fe.telegramAdmin(), Catalog: cat, Sequences: p.sequences}
	if p.flows != nil {
		deps.Direct = p.flows
	}
	a.addInboundRoutes(mux, deps)
	return nil
}

// start resumes the runs a stop interrupted, plans the schedule and starts
// the background loops.
func (a *app) start() error {
	p := a.parts
	if c := a.cluster; c != nil {
		// Several instances: the one that takes leaseDispatch does what
		// follows (lead); every instance serves the admin chats.
		a.listenCluster(p.ctx)
		c.dispatch.work, c.dispatch.lost = a.lead, a.lostSending
		p.bg.Go(func() { c.dispatch.run(p.ctx) })
		p.bg.Go(func() { p.fe.runChats(p.ctx) })
		return nil
	}
	if err := a.logResumed(a.resume(p.ctx)); err != nil {
		return err
	}
	if err := p.sched.Load(p.ctx); err != nil {
		return fmt.Errorf("load schedule: %w", err)
	}
	p.bg.Go(func() { _ = p.sched.Run(p.ctx) })
	p.bg.Go(func() { _ = p.sequences.Run(p.ctx) })
	p.bg.Go(func() { p.fe.run(p.ctx) })
	return nil
}

// resume starts again the runs a stop interrupted (or, with several
// instances, the previous holder of the sending left), and says how many
// it found.
func (a *app) resume(ctx context.Context) (int, error) {
	p := a.parts
	sending, err := a.store.ListBroadcasts(herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusSending}, Steps: true})
	if err != nil {
		return 0, fmt.Errorf("list unfinished runs: %w", err)
	}
	ids := make([]string, 0, len(sending))
	for _, b := range sending {
		ids = append(ids, b.ID)
	}
	if err := p.dispatch.Recover(ctx, ids); err != nil {
		return 0, fmt.Errorf("resume unfinished runs: %w", err)
	}
	return len(ids), nil
}

// logResumed says how many runs resume found, if any.
func (a *app) logResumed(n int, err error) error {
	if n > 0 && err == nil {
		a.logger.Info("resumed unfinished runs", "count", n)
	}
	return err
}

// stopParts runs after HTTP and the end-user input stopped: no new runs
// (scheduler), then in-flight sends finish and are checkpointed (dispatch),
// then the admin chats' last posts go out.
func (a *app) stopParts(ctx context.Context) error {
	p := a.parts
	p.cancel()
	p.bg.Wait()
	var errs []error
	if err := p.dispatch.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("dispatch: %w", err))
	}
	if c := a.cluster; c != nil {
		// Sending stopped cleanly: another instance takes it at once.
		if err := c.dispatch.release(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := p.fe.close(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// deliveryChannels are the platforms with credentials (of their default
// account or a named one), which the wizard offers.
func deliveryChannels(c *Config) []herald.Platform {
	var on []herald.Platform
	for _, acc := range c.deliveryAccounts() {
		if !slices.Contains(on, acc.Platform) {
			on = append(on, acc.Platform)
		}
	}
	return on
}

// newSenders builds one sender per enabled platform; moves records a
// Telegram group's new ID when a send finds it became a supergroup.
func newSenders(c *Config, mediaURL func(string) string, moves dtelegram.Mover) (map[herald.Platform]dispatch.Sender, error) {
	out := map[herald.Platform]dispatch.Sender{}
	if c.LINEEnabled() {
		s, err := dline.New(dline.Config{Token: c.LINE.ChannelToken, BaseURL: c.LINE.APIURL, MediaURL: mediaURL})
		if err != nil {
			return nil, fmt.Errorf("line sender: %w", err)
		}
		out[herald.LINE] = s
	}
	if c.TelegramEnabled() {
		d := c.Dispatch
		s, err := dtelegram.New(dtelegram.Config{Token: c.Telegram.Token, BaseURL: c.Telegram.APIURL, MediaURL: mediaURL, Moves: moves,
			ChatGap: perGap(d.TelegramPerChatPerSecond, time.Second), GroupGap: perGap(d.TelegramGroupPerMinute, time.Minute)})
		if err != nil {
			return nil, fmt.Errorf("telegram sender: %w", err)
		}
		out[herald.Telegram] = s
	}
	if c.MessengerEnabled() {
		s, err := dmessenger.New(dmessenger.Config{PageToken: c.Messenger.PageToken, AppSecret: c.Messenger.AppSecret,
			BaseURL: c.Messenger.APIURL, Version: c.Messenger.APIVersion, MediaURL: mediaURL, BatchSize: c.Messenger.BatchSize})
		if err != nil {
			return nil, fmt.Errorf("messenger sender: %w", err)
		}
		out[herald.Messenger] = s
	}
	return out, nil
}

// senderLimits maps the dispatch config's rates onto the senders' rate
// classes.
func senderLimits(c *Config) dispatch.Limits {
	d := c.Dispatch
	return dispatch.Limits{PerSecond: map[string]float64{
		dtelegram.Class:      d.TelegramPerSecond,
		dline.PushClass:      d.LINEPushPerSecond,
		dline.MulticastClass: d.LINEPerSecond,
		dmessenger.Class:     d.MessengerPerSecond,
		// a batch of n people spends n messages' share of the page's rate
		dmessenger.BatchClass: dmessenger.BatchRate(d.MessengerPerSecond, c.Messenger.BatchSize),
	}}
}

// perGap turns "n per period" into the gap between two requests.
func perGap(n float64, period time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration(float64(period) / n)
}

// mediaURL is where LINE and Messenger fetch an uploaded image.
func (a *app) mediaURL(mediaID string) string {
	return a.cfg.PublicBaseURL + "/media/" + mediaID
}

func defaultQuietHours(q *QuietHoursConfig) *herald.QuietHours {
	if q == nil {
		return nil
	}
	return &herald.QuietHours{Start: q.Start, End: q.End}
}
