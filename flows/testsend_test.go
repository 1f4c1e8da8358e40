package flows

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// "Send test to me" goes through the real dispatch engine to the platform
// fakes, and each failure says what the admin can do about it.
func TestSendTestDeliversAndExplainsEachFailure(t *testing.T) {
	fakes, url := startFakes(t)
	tg, err := telegram.New(telegram.Config{Token: "1:test", BaseURL: url + "/telegram"})
	if err != nil {
		t.Fatal(err)
	}
	ln := lineSender(t, url, "line-test")
	h := newHarness(t, func(c *Config) {
		c.Tests = dispatch.New(c.Store.(*storage.Store),
			map[herald.Platform]dispatch.Sender{herald.Telegram: tg, herald.LINE: ln}, dispatch.Options{})
	})
	mustContain(t, h.send("/testme telegram:1000 line:U999"), "OK, tests go to 2 recipients.")
	h.walkTo("")
	rs := h.press("sum:test")
	mustContain(t, rs, "Telegram: sent to 1000. Check how it looks.",
		"LINE: I have never heard from U999 there: message the bot from that account first, or add it again with a /testme code.")
	got := fakes.Recorder.To("telegram", "1000")
	if len(got) != 1 || !strings.Contains(got[0].Content, "Hi User 1000, 20% off today!") {
		t.Errorf("the Telegram tester got %+v, want the personalised message once", got)
	}
	h.wantStep(stepSummary)
}

// startFakes serves the platform fakes over HTTP for a test send; url is
// their base.
func startFakes(t *testing.T) (fakes *platformtest.Server, url string) {
	t.Helper()
	fakes = platformtest.NewServer(nil)
	srv := httptest.NewServer(fakes.Handler())
	t.Cleanup(func() { fakes.Close(); srv.Close() })
	return fakes, srv.URL
}

// lineSender is a LINE sender with token on the fakes at url.
func lineSender(t *testing.T, url, token string) *line.Sender {
	t.Helper()
	s, err := line.New(line.Config{Token: token, BaseURL: url + "/line"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
