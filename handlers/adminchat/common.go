package adminchat

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/heraldbot/herald/locales"
)

// Common is what every admin frontend (Telegram's admin side, Slack) is
// given besides its platform's tokens and who may act: the conversations
// it renders, where it audits, its words, and the limits on its work.
// Frontends embed it in their options.
type Common struct {
	Flows   Conversations
	Audit   Auditor
	Catalog *locales.Catalog
	// HTTPClient is used for every call to the platform (default: 30s
	// timeout).
	HTTPClient *http.Client
	// MaxFile bounds a downloaded upload, a photo or CSV (default 20 MiB,
	// the Telegram Bot API's own download limit).
	MaxFile int64
	// JobTimeout bounds the handling of one update (default 60s).
	JobTimeout time.Duration
	Now        func() time.Time
	// Offers is optional: a send-now's Undo message is recorded there, to
	// be edited when the broadcast starts.
	Offers *Offers
	Logger *slog.Logger
}

// WithDefaults is c with what was left out filled in.
func (c Common) WithDefaults() Common {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if c.MaxFile <= 0 {
		c.MaxFile = 20 << 20
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
