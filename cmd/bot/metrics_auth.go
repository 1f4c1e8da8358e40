package main

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// MetricsConfig protects GET /metrics, which shares the HTTP server with
// the webhooks unless Listen moves it: behind a reverse proxy that exposes
// only /webhooks/ and /media/ it is private anyway, with Token set it
// stays private even where the server is reachable directly, and on its
// own Listen address it is not on the webhooks' server at all.
type MetricsConfig struct {
	// Token, when set, is the bearer token a scraper must present
	// ("Authorization: Bearer TOKEN"); without it /metrics is open to
	// whoever reaches the address it is served on.
	Token string `yaml:"token"`
	// Listen, when set, serves /metrics (only) on this host:port, e.g. a
	// private network's address, instead of on http.listen.
	Listen string `yaml:"listen"`
}

// metricsServer serves GET /metrics alone on metrics.listen, apart from
// the webhooks' server; startApp starts it and shutdown stops it first.
func (a *app) startMetricsServer(h http.Handler) error {
	ln, err := net.Listen("tcp", a.cfg.Metrics.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on metrics.listen %s: %w — pick a free port, or leave metrics.listen empty to serve /metrics on http.listen", a.cfg.Metrics.Listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	a.metricsAddr = ln.Addr().String()
	a.metricsServer = a.httpServer(mux)
	go a.serve(a.metricsServer, ln)
	return nil
}

// protectMetrics wraps the /metrics handler with the metrics.token check:
// a missing or wrong token gets 401 and nothing about the bot. The token is
// compared in constant time.
func protectMetrics(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald metrics"`)
			http.Error(w, "metrics need the bearer token of metrics.token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bearerToken reads "Bearer TOKEN" (the scheme in any case, RFC 7235).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}
