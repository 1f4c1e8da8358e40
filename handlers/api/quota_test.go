package api

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/dispatch/line/linetest"
)

// A scheduled broadcast whose LINE recipients exceed what LINE's monthly
// quota has left (read from the LINE fake) is a 422 with the numbers.
func TestBroadcastOverLINEQuotaIsRefused(t *testing.T) {
	sender, fake := linetest.Sender(t)
	fake.SetQuota(2)
	r := vipRig(t, Options{}, func(o *broadcasts.Options) { o.Quota = sender })
	a := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Too many", now.Add(48*time.Hour)))
	a.wantError(t, 422, "over_quota", "audience", "over the quota")
	if !strings.Contains(string(a.raw), "needs 3 LINE messages, 2 left this month (0 of 2 used)") {
		t.Errorf("refusal does not give the numbers: %s", a.raw)
	}
	fake.SetQuota(3)
	r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Fits", now.Add(48*time.Hour))).want(t, 201, "within the quota")
}
