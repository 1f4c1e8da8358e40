package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// A progress message arriving mid-wizard prints its buttons as commands and
// leaves the wizard's numbered choices as they were.
func TestSurfacePrintsProgressWithoutRenumberingTheWizard(t *testing.T) {
	e, _ := newEngine(t)
	var out bytes.Buffer
	c := New(e, &out, Options{})
	ctx := context.Background()
	if err := c.Send(ctx, "/new"); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(ctx, "Mid-run"); err != nil { // step 2: channels, 1) LINE
		t.Fatal(err)
	}
	s := c.Surface()
	progress := flows.Reply{Text: "📤 Sale (B-1) — sending\n3 / 10", Choices: []flows.Choice{{ID: "/pause B-1", Label: "Pause"}}}
	ref, err := s.Post(ctx, herald.Origin{Frontend: Frontend}, progress)
	if err != nil || ref == "" {
		t.Fatalf("post: %q, %v", ref, err)
	}
	if err := s.Edit(ctx, herald.Origin{Frontend: Frontend}, ref, flows.Reply{Text: "📤 Sale (B-1) — completed\n10 / 10"}); err != nil {
		t.Fatal(err)
	}
	printed := out.String()
	for _, want := range []string{"  │ 📤 Sale (B-1) — sending", "  │ 3 / 10", "type: /pause B-1 (Pause)", "  │ 10 / 10"} {
		if !strings.Contains(printed, want) {
			t.Errorf("console lacks %q:\n%s", want, printed)
		}
	}
	if err := c.Send(ctx, "1"); err != nil { // still the wizard's LINE, not Pause
		t.Fatal(err)
	}
	if !strings.Contains(out.String()[len(printed):], "[x] LINE") {
		t.Errorf("pressing 1 after a progress message did not pick LINE:\n%s", out.String()[len(printed):])
	}
}
