package main

import "net/http"

// routes builds the one HTTP server's mux. Each part adds its routes from
// its own file with one line here: webhooks (/webhooks/...), the REST API
// (/api/v1/...), /metrics; wire adds the parts' routes (wire.go).
func (a *app) routes() *http.ServeMux {
	mux := http.NewServeMux()
	a.addHealthRoutes(mux)
	a.addBackupRoutes(mux)
	a.addMediaRoutes(mux)
	return mux
}
