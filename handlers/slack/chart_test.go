package slack

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/platformtest"
)

// The report's 24 h update uploads the chart again into the broadcast's
// thread, with who tapped and clicked over the first day beneath; a
// restart before it still uploads it, one after it uploads nothing.
func TestTheDayChartIsUploadedIntoTheThreadOnce(t *testing.T) {
	r := newRig(t)
	thread := "1700000000.000001"
	clock := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	b := herald.Broadcast{Name: "Spring sale", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: channel + ":" + thread, UserID: bob}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	opts := adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.h}, Broadcasts: r.store, Catalog: cat, Now: clock.Now}
	uploads := func() (out []platformtest.SlackMessage) {
		for _, m := range r.fake.Messages(channel) {
			if len(m.Files) > 0 {
				out = append(out, m)
			}
		}
		return out
	}
	flowsrig.ReportDay(t, r.store, opts, clock, b.ID, func() int { return len(uploads()) })
	day := uploads()[1]
	f, _ := r.fake.File(strings.Join(day.Files, ""))
	if day.ThreadTS != thread || f.Channel != channel || !strings.HasSuffix(f.Name, "-chart-24h.png") ||
		!strings.Contains(day.Text+day.Blocks, "Spring sale ("+b.ID+"): deliveries, and who tapped or clicked in the first 24 h") {
		t.Fatalf("24 h chart in the thread: %+v, file %q in %s", day, f.Name, f.Channel)
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 1000 {
		t.Fatalf("the 24 h chart is not a 1200×1000 PNG: %v", err)
	}
}
