package main

// wire builds the bot's parts between the database and the HTTP server, in
// the order they depend on each other: metrics → flows → dispatch (with the
// admin chats' reporter) → scheduler → admin frontends → inbound routes.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	dline "github.com/heraldbot/herald/dispatch/line"
	dmessenger "github.com/heraldbot/herald/dispatch/messenger"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/storage"
)

// appOptions are what differs between the real bot, the demo and tests.
type appOptions struct {
	// Console, when set, is the demo's admin frontend: it gets progress
	// and reports, and every admin may act (one person at one terminal).
	Console adminchat.Surface
	// SchedulerNow is the scheduler's clock (tests drive it with Tick;
	// default time.Now).
	SchedulerNow func() time.Time
	// ProgressInterval is the least time between two progress messages of
	// one run (default 3s).
	ProgressInterval time.Duration
}

// parts are the wired components; app owns them.
type parts struct {
	metrics  *metrics.Metrics
	flows    *flows.Engine
	dispatch *dispatch.Engine
	sched    *schedule.Scheduler
	fe       *adminFrontends
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
	p := &parts{metrics: metrics.New()}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	a.parts = p
	// flows and the API change broadcasts; the scheduler must hear of it.
	changed := func(id string) {
		if p.sched != nil {
			p.sched.Changed(p.ctx, id)
		}
	}
	notifying := &notifyingStore{Store: a.store, changed: changed}

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
		f := cfg.Flows
		p.flows, err = flows.New(flows.Config{Store: notifying, Catalog: cat, Access: flowAccess, Runs: lazyRuns{p}, Tests: lazyRuns{p},
			Notices:  lazyNotices{p},
			Channels: channels, Location: loc, SessionTTL: f.SessionTTL.D(), UndoDelay: f.UndoDelay.D(),
			MinLeadTime: f.MinLeadTime.D(), ApprovalThreshold: f.ApprovalThreshold, CSVMaxBytes: f.CSVMaxBytes, Logger: a.logger,
			QuietHours: defaultQuietHours(cfg.Schedule.QuietHours), TrackClicks: cfg.PublicBaseURL != ""})
		if err != nil {
			return fmt.Errorf("flows: %w", err)
		}
	}
	p.fe, err = newAdminFrontends(feCfg, p.flows, a.store, cat, access, a.logger, opts)
	if err != nil {
		return fmt.Errorf("admin frontends: %w", err)
	}
	senders, err := newSenders(&cfg, a.mediaURL, a.store)
	if err != nil {
		return err
	}
	trackLink, err := a.addClickRoutes(mux)
	if err != nil {
		return err
	}
	d := cfg.Dispatch
	zones := schedule.NewZones(loc)
	quiet := defaultQuietHours(cfg.Schedule.QuietHours)
	p.dispatch = dispatch.New(a.store, senders, dispatch.Options{
		Limits:           senderLimits(d),
		Backoff:          dispatch.Backoff{MaxAttempts: d.MaxRetries},
		FailureThreshold: d.FailurePauseRatio, FailureMinSample: d.FailurePauseAfter,
		Logger: a.logger,
		// quiet is the bot's default; a broadcast's own setting (a window,
		// or off) wins over it.
		DeliverAt: func(b *herald.Broadcast, sub *herald.Subscriber, now time.Time) time.Time {
			return zones.DeliverAt(b, sub, quiet, now)
		},
		Reporter:  handBack{Reporter: p.fe.Reporter, changed: changed},
		TrackLink: trackLink,
	})
	p.sched = schedule.New(a.store, p.dispatch, notifier{p.fe.Reporter}, schedule.Options{Location: loc,
		MissedGrace: cfg.Schedule.MissedGrace.D(), HeadsUp: cfg.Schedule.HeadsUp.D(), Retention: cfg.Schedule.Retention.D(),
		Now: opts.SchedulerNow, Logger: a.logger})
	if p.fe.Slack != nil && !p.fe.socket {
		mux.Handle("/slack/events", p.fe.slackHTTP())
	}
	deps := inboundDeps{Metrics: p.metrics, Releaser: p.dispatch,
		Runs: p.dispatch, Changes: apiChanges{lazyNotices{p}}, Admin: p.fe.telegramAdmin(), Store: notifying}
	if p.flows != nil {
		deps.Approvals = p.flows
	}
	a.addInboundRoutes(mux, deps)
	return nil
}

// start resumes the runs a stop interrupted, plans the schedule and starts
// the background loops.
func (a *app) start() error {
	p := a.parts
	sending, err := a.store.ListBroadcasts(herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusSending}})
	if err != nil {
		return fmt.Errorf("list unfinished runs: %w", err)
	}
	ids := make([]string, 0, len(sending))
	for _, b := range sending {
		ids = append(ids, b.ID)
	}
	if err := p.dispatch.Recover(p.ctx, ids); err != nil {
		return fmt.Errorf("resume unfinished runs: %w", err)
	}
	if len(ids) > 0 {
		a.logger.Info("resumed unfinished runs", "count", len(ids))
	}
	if err := p.sched.Load(p.ctx); err != nil {
		return fmt.Errorf("load schedule: %w", err)
	}
	p.bg.Go(func() { _ = p.sched.Run(p.ctx) })
	p.bg.Go(func() { p.fe.run(p.ctx) })
	return nil
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
	if err := p.fe.close(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// deliveryChannels are the platforms with credentials, which the wizard offers.
func deliveryChannels(c *Config) []herald.Platform {
	var on []herald.Platform
	if c.LINEEnabled() {
		on = append(on, herald.LINE)
	}
	if c.TelegramEnabled() {
		on = append(on, herald.Telegram)
	}
	if c.MessengerEnabled() {
		on = append(on, herald.Messenger)
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
			BaseURL: c.Messenger.APIURL, Version: c.Messenger.APIVersion, MediaURL: mediaURL})
		if err != nil {
			return nil, fmt.Errorf("messenger sender: %w", err)
		}
		out[herald.Messenger] = s
	}
	return out, nil
}

// senderLimits maps the dispatch config's rates onto the senders' rate
// classes.
func senderLimits(d DispatchConfig) dispatch.Limits {
	return dispatch.Limits{PerSecond: map[string]float64{
		dtelegram.Class:      d.TelegramPerSecond,
		dline.PushClass:      d.LINEPushPerSecond,
		dline.MulticastClass: d.LINEPerSecond,
		dmessenger.Class:     d.MessengerPerSecond,
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

// notifyingStore tells the scheduler about every broadcast flows or the
// API creates, edits or deletes, so neither package needs to know it.
type notifyingStore struct {
	*storage.Store
	changed func(id string)
}

// CreateBroadcast stores b and re-plans it.
func (s *notifyingStore) CreateBroadcast(b *herald.Broadcast) error {
	err := s.Store.CreateBroadcast(b)
	if err == nil {
		s.changed(b.ID)
	}
	return err
}

// UpdateBroadcast changes a broadcast and re-plans it.
func (s *notifyingStore) UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	b, err := s.Store.UpdateBroadcast(id, fn)
	if err == nil {
		s.changed(id)
	}
	return b, err
}

// DeleteBroadcast deletes a broadcast and drops its plan.
func (s *notifyingStore) DeleteBroadcast(id string) error {
	err := s.Store.DeleteBroadcast(id)
	if err == nil {
		s.changed(id)
	}
	return err
}

// handBack hands a recurring broadcast back to the scheduler when its run
// ends: dispatch sets it scheduled again, the scheduler plans the next one.
type handBack struct {
	dispatch.Reporter
	changed func(id string)
}

// Finished reports, then re-plans the broadcast.
func (h handBack) Finished(ctx context.Context, r herald.Report) {
	h.Reporter.Finished(ctx, r)
	h.changed(r.BroadcastID)
}

// notifier adapts the admin chats' reporter to schedule.Notifier.
type notifier struct{ r *adminchat.Reporter }

// HeadsUp announces a broadcast about to go out.
func (n notifier) HeadsUp(ctx context.Context, b herald.Broadcast, at time.Time) {
	n.r.Upcoming(ctx, b, at)
}

// Missed asks the origin chat about a one-off held because Herald was down
// at its time (Send now / Reschedule / Cancel), or says a recurring
// broadcast skipped an occurrence.
func (n notifier) Missed(ctx context.Context, b herald.Broadcast, late time.Duration) {
	n.r.Missed(ctx, b, late)
}

// lazyRuns is flows' RunControl: the dispatch engine, built after flows.
type lazyRuns struct{ p *parts }

func (l lazyRuns) Pause(ctx context.Context, id, actor string) error {
	return l.p.dispatch.Pause(ctx, id, actor)
}
func (l lazyRuns) Resume(ctx context.Context, id, actor string) error {
	return l.p.dispatch.Resume(ctx, id, actor)
}
func (l lazyRuns) Cancel(ctx context.Context, id, actor string) error {
	return l.p.dispatch.Cancel(ctx, id, actor)
}

// SendTest makes lazyRuns flows' TestSender too ("Send test to me").
func (l lazyRuns) SendTest(ctx context.Context, b *herald.Broadcast, to herald.SubscriberKey) error {
	return l.p.dispatch.SendTest(ctx, b, to)
}
