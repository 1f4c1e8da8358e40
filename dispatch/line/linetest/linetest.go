// Package linetest starts the LINE fake with a real Sender pointed at it,
// for tests outside dispatch/line that need LINE's answers (the monthly
// quota) the way production reads them.
package linetest

import (
	"net/http"
	"testing"

	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/platformtest"
)

// Sender serves a LINE fake over loopback until the test ends and returns
// a Sender using it, and the fake to set limits on.
func Sender(t testing.TB) (*line.Sender, *platformtest.LINE) {
	t.Helper()
	return Recording(t, platformtest.NewRecorder(nil))
}

// Recording is Sender with the fake recording into rec (on the test's
// clock), for tests that read what each person got.
func Recording(t testing.TB, rec *platformtest.Recorder) (*line.Sender, *platformtest.LINE) {
	t.Helper()
	return dispatchtest.Sender(t, rec, platformtest.NewLINE, func(url string, c *http.Client) (*line.Sender, error) {
		return line.New(line.Config{Token: "line-token", BaseURL: url, Client: c})
	})
}
