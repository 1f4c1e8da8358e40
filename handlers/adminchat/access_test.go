package adminchat_test

import (
	"testing"

	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
)

// Each frontend decides for its own users; a frontend nobody configured
// lets nobody act.
func TestAccessAsksTheUsersFrontend(t *testing.T) {
	a := adminchat.AccessByFrontend{"console": flows.AllowAll{}}
	for _, tc := range []struct {
		frontend string
		want     bool
	}{{"console", true}, {"slack", false}, {"", false}} {
		if got := a.IsAdmin(tc.frontend, "U1"); got != tc.want {
			t.Errorf("IsAdmin(%q) = %v, want %v", tc.frontend, got, tc.want)
		}
		if got := a.MayApprove(tc.frontend, "U1"); got != tc.want {
			t.Errorf("MayApprove(%q) = %v, want %v", tc.frontend, got, tc.want)
		}
	}
}
