// Package linetest starts the LINE fake with a real Sender pointed at it,
// for tests outside dispatch/line that need LINE's answers (the monthly
// quota) the way production reads them.
package linetest

import (
	"net/http/httptest"
	"testing"

	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/platformtest"
)

// Sender serves a LINE fake over loopback until the test ends and returns
// a Sender using it, and the fake to set limits on.
func Sender(t testing.TB) (*line.Sender, *platformtest.LINE) {
	t.Helper()
	fake := platformtest.NewLINE(platformtest.NewRecorder(nil))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	s, err := line.New(line.Config{Token: "line-token", BaseURL: srv.URL, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return s, fake
}
