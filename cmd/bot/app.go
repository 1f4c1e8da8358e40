package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/postgres"
)

// app is the running bot: what serve wires together (wire.go) and shuts
// down.
type app struct {
	cfg    Config
	logger *slog.Logger
	store  storage.Backend
	// addr is the address the HTTP server really listens on (":0" resolved).
	addr     string
	listener net.Listener
	server   *http.Server
	// metricsAddr and metricsServer serve /metrics on metrics.listen
	// (metrics_auth.go); unset when /metrics is on the main server.
	metricsAddr   string
	metricsServer *http.Server
	// drain runs after HTTP has stopped and before the database closes, in
	// order: the end-user side's input first; then stopParts (scheduler,
	// dispatch's "finish or checkpoint in-flight sends", admin chats).
	drain []func(context.Context) error
	// parts are the wired bot (wire.go).
	parts *parts
	// backupToken lets `herald backup` ask this bot for a hot copy (see backup_route.go).
	backupToken string
	// ready is the last write probe /readyz made (health.go).
	ready readiness
	// cluster is this instance's part in a deployment of several
	// (PostgreSQL; cluster.go); nil with bbolt.
	cluster *cluster
}

// openStoreTimeout bounds the wait for another process's file lock, so a
// second bot fails fast instead of hanging.
const openStoreTimeout = 2 * time.Second

// startApp opens the database, wires the bot's parts, starts the HTTP
// server, resumes unfinished runs and starts the scheduler. On error it
// returns one line for the operator, naming the cause and the fix, and has
// released whatever it had opened.
func startApp(cfg Config, logger *slog.Logger, opts appOptions) (*app, error) {
	cfg.applyAccountDefaults() // a config built in code (tests) gets them too
	a := &app{cfg: cfg, logger: logger}
	setMemoryLimit(cfg.MemoryLimitMB)
	store, err := openStore(cfg.Storage, storage.Options{LockTimeout: openStoreTimeout, Logger: logger, Now: time.Now})
	if err != nil {
		return nil, err
	}
	a.store = store
	if pg, ok := store.(*postgres.Store); ok {
		name := cfg.Cluster.instanceName()
		a.logger = logger.With("instance", name) // several may log to one place
		a.cluster = newCluster(name, cfg.Cluster.LeaseTTL.D(), pg, a.logger)
	}
	var ln net.Listener
	fail := func(err error) (*app, error) { // release what was opened, in reverse
		if a.metricsServer != nil {
			_ = a.metricsServer.Close()
		}
		if ln != nil {
			_ = ln.Close()
		}
		a.releaseParts()
		_ = store.Close()
		return nil, err
	}
	mux := a.routes()
	if err := a.wire(mux, opts); err != nil {
		return fail(err)
	}
	ln, err = net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fail(fmt.Errorf("cannot listen on %s: %w — another program may use the port (another herald, or the demo): "+
			"pick a free one with -listen 127.0.0.1:PORT or http.listen in the config", cfg.HTTP.Listen, err))
	}
	a.listener, a.addr = ln, ln.Addr().String()
	if cfg.Metrics.Listen != "" {
		if err := a.startMetricsServer(protectMetrics(cfg.Metrics.Token, a.parts.metrics.Handler())); err != nil {
			return fail(err)
		}
	}
	if err := a.writeControlFile(); err != nil {
		return fail(fmt.Errorf("cannot write beside the database %s: %w", cfg.Storage.shown(), err))
	}
	a.server = a.httpServer(mux)
	go a.serve(a.server, ln)
	if err := a.start(); err != nil {
		_ = a.shutdown()
		return nil, err
	}
	return a, nil
}

// httpServer is an HTTP server on h with http's timeouts and the log.
func (a *app) httpServer(h http.Handler) *http.Server {
	c := a.cfg.HTTP
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: c.ReadHeaderTimeout.D(),
		ReadTimeout:       c.ReadTimeout.D(),
		WriteTimeout:      c.WriteTimeout.D(),
		IdleTimeout:       c.IdleTimeout.D(),
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
}

// serve runs srv on ln until shutdown closes it.
func (a *app) serve(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.logger.Error("http server stopped", "error", err)
	}
}

// releaseParts undoes wire when the bot cannot start: the end-user side's
// polling and the background context.
func (a *app) releaseParts() {
	for _, drain := range a.drain {
		_ = drain(context.Background())
	}
	if a.parts != nil {
		a.parts.cancel()
	}
}

// shutdown stops the bot in order: no new HTTP requests (in-flight ones
// get http.shutdown_timeout), then the drain hooks, then the database.
func (a *app) shutdown() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.HTTP.ShutdownTimeout.D())
	for _, srv := range []*http.Server{a.metricsServer, a.server} {
		if srv == nil {
			continue
		}
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop http: %w", err))
		}
	}
	cancel()
	a.removeControlFile()
	drains := a.drain
	if a.parts != nil {
		drains = append(drains, a.stopParts)
	}
	for _, drain := range drains {
		ctx, cancel := context.WithTimeout(context.Background(), a.cfg.Dispatch.DrainTimeout.D())
		if err := drain(ctx); err != nil {
			errs = append(errs, fmt.Errorf("drain: %w", err))
		}
		cancel()
	}
	if err := a.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	return errors.Join(errs...)
}

// setMemoryLimit applies Config.MemoryLimitMB unless GOMEMLIMIT is set
// (the runtime has applied that one already).
func setMemoryLimit(mb int) {
	if mb > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(mb) << 20)
	}
}
