package adminchat_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// TestABDecisionAsksTheTestsChat: nobody tapped, so the test's chat gets
// the variants side by side in its admin's language, with a pick per
// variant; pressing one sends that variant to the rest.
func TestABDecisionAsksTheTestsChat(t *testing.T) {
	r := newMissedRig(t)
	b := r.broadcast("Sale", herald.Origin{}, func(b *herald.Broadcast) {
		b.Status = herald.StatusCompleted
		b.Audience = herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users, TagMatch: herald.AnyTag}
		b.Content = herald.Content{Kind: herald.TextContent, Text: "A"}
		b.Schedule = herald.Schedule{Kind: herald.SendAt, At: start}
		b.Test = &herald.ABTest{Variants: []herald.Content{{Kind: herald.TextContent, Text: "B"}}, Percent: 10,
			Wait: time.Hour, Seed: 7, Children: []string{"B-VARBBB"}, Asked: true}
	})
	r.speak("ja")
	r.rep.Publish(context.Background(), herald.ABDecided{Test: b, Results: []herald.VariantResult{
		{BroadcastID: b.ID, Delivered: 12}, {BroadcastID: "B-VARBBB", Delivered: 11}}})
	r.rep.Wait()
	mustContain(t, "the question", r.last(), "🆎 A/Bテスト「Sale」（"+b.ID+"）のバリエーション比較：",
		"A（"+b.ID+"）：配信 12・タップ/クリック 0（0%）", "/pick "+b.ID+" B (B を残りに送る)")
	mustContain(t, "the pick", r.typed("/pick "+b.ID+" B"), "「Sale」の残りに B を今から送ります。")
	got, _ := r.store.Broadcast(b.ID)
	if got.Test.Winner != 2 || got.Test.Rest == "" || !got.Test.Done {
		t.Errorf("after the pick: %+v", got.Test)
	}
}
