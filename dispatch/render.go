package dispatch

import (
	"context"
	"time"

	"github.com/heraldbot/herald"
)

// ImageURLs lists images as the URLs a platform fetches them from, in
// order: an uploaded image (MediaID) is served by Herald at mediaURL's
// answer; one with neither URL nor a way to serve it is left out. Every
// sender renders pictures this way.
func ImageURLs(images []herald.Image, mediaURL func(mediaID string) string) []string {
	var out []string
	for _, im := range images {
		u := im.URL
		if u == "" && im.MediaID != "" && mediaURL != nil {
			u = mediaURL(im.MediaID)
		}
		if u != "" {
			out = append(out, u)
		}
	}
	return out
}

// SleepCtx waits d or until ctx ends, whichever comes first; it is the
// default wait wherever a sender or the engine lets tests inject one.
func SleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
