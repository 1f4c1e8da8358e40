package line

import (
	"context"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// The quota reads what the fake counts: none before a limit is set, then
// the limit and every recipient of a multicast as one message each.
func TestQuotaReadsLimitAndUsage(t *testing.T) {
	s, fake, _ := setup(t)
	ctx := context.Background()
	q, err := s.LINEQuota(ctx)
	if err != nil || q.Limited {
		t.Fatalf("quota without a limit = %+v, %v; want unlimited", q, err)
	}
	fake.SetQuota(500)
	if _, err := s.Send(ctx, &dispatch.Message{To: to("Ua", "Ub", "Uc"), Content: herald.Content{Kind: herald.TextContent, Text: "hi"}, RetryKey: key1}); err != nil {
		t.Fatal(err)
	}
	q, err = s.LINEQuota(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (herald.Quota{Limited: true, Limit: 500, Used: 3}); q != want || q.Left() != 497 {
		t.Errorf("quota = %+v (left %d), want %+v", q, q.Left(), want)
	}
}
