package main

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// MetricsConfig protects GET /metrics, which shares the HTTP server with
// the webhooks: behind a reverse proxy that exposes only /webhooks/ and
// /media/ it is private anyway, and with Token set it stays private even
// where the server is reachable directly.
type MetricsConfig struct {
	// Token, when set, is the bearer token a scraper must present
	// ("Authorization: Bearer TOKEN"); without it /metrics is open to
	// whoever reaches http.listen.
	Token string `yaml:"token"`
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
