package dispatch

import (
	"net/http"
	"time"
)

// maxIdlePerHost is how many idle connections a sender's client keeps to
// its platform's one host: more than a run's workers on one channel
// (Options.Workers), so that each worker finds its connection again.
const maxIdlePerHost = 256

// NewHTTPClient is the client a sender uses when it is given none. The
// default transport keeps two idle connections per host: a run's workers
// beyond two would each close their connection after every request and
// open (and TLS-handshake) a new one for the next recipient. Answers are
// small JSON, so the client asks for no compression.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 4*maxIdlePerHost, maxIdlePerHost
	t.DisableCompression = true
	return &http.Client{Transport: t, Timeout: 30 * time.Second}
}
