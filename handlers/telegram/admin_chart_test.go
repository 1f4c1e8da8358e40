package telegram

import (
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
)

// The report's 24 h update posts the chart again, with who tapped and
// clicked over the first day beneath, as a photo (sendPhoto) in the admin
// group; a restart before it still posts it, one after it posts nothing.
func TestTheDayChartIsAPhotoInTheAdminGroupOnce(t *testing.T) {
	r := newAdminRig(t)
	clock := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	b := herald.Broadcast{Name: "Winter sale", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: "-1001234", UserID: "11", UserName: "Alice"}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	opts := adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.a}, Broadcasts: r.store, Catalog: r.cat, Now: clock.Now}
	photos := func() (out []platformtest.TelegramMessage) {
		for _, m := range r.sent() {
			if m.Method == "sendPhoto" {
				out = append(out, m)
			}
		}
		return out
	}
	flowsrig.ReportDay(t, r.store, opts, clock, b.ID, func() int { return len(photos()) })
	day := photos()[1]
	if !strings.Contains(day.Text, "Winter sale ("+b.ID+"): deliveries, and who tapped or clicked in the first 24 h") || day.Photo == "" {
		t.Fatalf("24 h chart: %+v", day)
	}
	img, err := png.Decode(strings.NewReader(r.download(day.Photo)))
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 1000 {
		t.Fatalf("the 24 h chart is not a 1200×1000 PNG: %v", err)
	}
}
