package platformtest

import (
	"net/http"
	"net/url"
	"strings"
)

// publicBase is the URL prefix under which the handler serving r is reachable
// from the client: scheme and host of the request plus any prefix a
// http.StripPrefix in front of the fake removed. URLs a fake hands out (file
// links, upload and websocket URLs) are built on it so they work both at the
// root of a server and mounted under a path.
func publicBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + strings.TrimSuffix(requestPath(r), r.URL.Path)
}

// requestPath is the path the client asked for, before any StripPrefix.
func requestPath(r *http.Request) string {
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		return u.Path
	}
	return r.URL.Path
}
