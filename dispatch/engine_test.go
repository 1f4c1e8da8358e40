package dispatch_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

var hello = herald.Content{Kind: herald.TextContent, Text: "Hello from Herald"}

func TestDeliversEveryRecipientOnceOnEveryChannel(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.Telegram, 30, nil)
	e.subscribe(herald.LINE, 1200, nil)
	e.subscribe(herald.Messenger, 30, nil)
	bid := e.broadcast(hello, herald.Telegram, herald.LINE, herald.Messenger)

	run := e.start(bid)

	if run.Status != herald.RunCompleted || run.Total != 1260 {
		t.Fatalf("run %+v, want completed with 1260 recipients", run)
	}
	rec := e.fakes.Recorder
	for p, n := range map[herald.Platform]int{herald.Telegram: 30, herald.LINE: 1200, herald.Messenger: 30} {
		if got := rec.Recipients(string(p)); got != n || rec.Count(string(p)) != n {
			t.Errorf("%s: %d recipients, %d deliveries; want %d once each", p, got, rec.Count(string(p)), n)
		}
		if tl := run.Tally[p]; tl.Sent != n || tl.Pending != 0 {
			t.Errorf("%s tally %+v, want %d sent", p, tl, n)
		}
	}
	// identical content on LINE goes out as multicasts of at most 500
	perRequest := map[int64]int{}
	for _, d := range rec.Deliveries("line") {
		if d.Method != "multicast" {
			t.Fatalf("LINE used %s, want multicast", d.Method)
		}
		perRequest[d.RequestID]++
	}
	if len(perRequest) != 3 {
		t.Errorf("%d LINE requests, want 3 (500+500+200): %v", len(perRequest), perRequest)
	}
	for _, n := range perRequest {
		if n > 500 {
			t.Errorf("a multicast carried %d recipients", n)
		}
	}
	rep, ok := e.rep.last()
	if !ok || rep.Status != herald.RunCompleted || rep.Sum().Sent != 1260 || len(rep.Failures) != 0 {
		t.Errorf("report %+v, want completed with 1260 sent", rep)
	}
	if b, _ := e.st.Broadcast(bid); b.Status != herald.StatusCompleted {
		t.Errorf("broadcast status %s, want completed", b.Status)
	}
}

func TestPersonalisedLINEIsPushedPerRecipient(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.LINE, 3, nil)
	run := e.start(e.broadcast(herald.Content{Kind: herald.TextContent, Text: "Hi {first_name|friend}!"}, herald.LINE))
	if run.Status != herald.RunCompleted {
		t.Fatalf("run %s", run.Status)
	}
	for i := 0; i < 3; i++ {
		got := e.fakes.Recorder.To("line", subscriberID(herald.LINE, i))
		if len(got) != 1 || got[0].Method != "push" || !strings.Contains(got[0].Content, `"text":"Hi Ann!"`) {
			t.Errorf("recipient %d got %+v, want one push saying Hi Ann!", i, got)
		}
	}
}

func TestRateLimitStormIsWaitedOutNotFailed(t *testing.T) {
	e := newEnv(t, nil)
	e.fakes.Telegram.Faults.SetRateLimit(5, 2*time.Second)
	e.subscribe(herald.Telegram, 40, nil)
	run := e.start(e.broadcast(hello, herald.Telegram))

	if run.Tally[herald.Telegram].Sent != 40 || run.Tally[herald.Telegram].Failed != 0 {
		t.Errorf("tally %+v, want all 40 sent despite 429s", run.Tally[herald.Telegram])
	}
	if len(e.fakes.Recorder.Rejected("telegram")) == 0 {
		t.Error("the fake never answered 429: the storm did not happen")
	}
	if d := e.fakes.Recorder.Duplicates("telegram"); len(d) != 0 {
		t.Errorf("duplicates %v", d)
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	// a burst of 12 cannot exhaust 13 tries, however the workers share it
	e := newEnv(t, func(o *dispatch.Options) { o.Backoff.MaxAttempts = 13 })
	e.fakes.Messenger.Faults.FailNext(12, 502)
	e.subscribe(herald.Messenger, 20, nil)
	run := e.start(e.broadcast(hello, herald.Messenger))

	if tl := run.Tally[herald.Messenger]; tl.Sent != 20 || tl.Failed != 0 {
		t.Errorf("tally %+v, want all 20 sent after the 5xx burst", tl)
	}
	retried := 0
	for _, d := range e.deliveries(run.ID, herald.Sent) {
		if d.Attempts > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no delivery records a retry")
	}
}

func TestRecipientWhoBlockedTheBotIsMarkedBlocked(t *testing.T) {
	e := newEnv(t, nil)
	subs := e.subscribe(herald.Telegram, 5, nil)
	e.fakes.Telegram.Faults.Block(subs[2].ID)
	run := e.start(e.broadcast(hello, herald.Telegram))

	if tl := run.Tally[herald.Telegram]; tl.Sent != 4 || tl.Failed != 1 {
		t.Errorf("tally %+v, want 4 sent 1 failed", tl)
	}
	s, err := e.st.Subscriber(subs[2].Key())
	if err != nil || s.State != herald.Blocked {
		t.Errorf("subscriber %+v %v, want blocked", s, err)
	}
	rep, _ := e.rep.last()
	if len(rep.Failures) != 1 || rep.Failures[0].Reason != herald.ReasonBlocked || rep.Failures[0].Count != 1 {
		t.Errorf("report failures %+v, want 1 blocked", rep.Failures)
	}
}

func TestMessengerWindowSkipsMarketingAndTagsTheRest(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.Messenger, 4, func(i int, s *herald.Subscriber) {
		if i%2 == 1 {
			s.LastInteraction = s.LastInteraction.Add(-48 * time.Hour)
		}
	})
	run := e.start(e.broadcast(hello, herald.Messenger))
	if tl := run.Tally[herald.Messenger]; tl.Sent != 2 || tl.Skipped != 2 {
		t.Errorf("marketing tally %+v, want 2 sent 2 skipped", tl)
	}
	for _, d := range e.deliveries(run.ID, herald.Skipped) {
		if d.Reason != herald.ReasonOutsideWindow {
			t.Errorf("skipped for %q, want outside_window", d.Reason)
		}
	}
	if n := len(e.fakes.Recorder.Rejected("messenger")); n != 0 {
		t.Errorf("%d requests refused: the window must be checked before calling", n)
	}

	b := herald.Broadcast{Name: "tagged", Status: herald.StatusScheduled, Content: hello, Category: herald.NonMarketing,
		Tag: herald.TagAccountUpdate, Audience: herald.Audience{Channels: []herald.Platform{herald.Messenger}, Recipients: herald.Users}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	run = e.start(b.ID)
	if tl := run.Tally[herald.Messenger]; tl.Sent != 4 {
		t.Errorf("tagged tally %+v, want all 4 sent (the tag allows outside the window)", tl)
	}
}

func TestOperatorChatHoldsUntilReleased(t *testing.T) {
	e := newEnv(t, nil)
	subs := e.subscribe(herald.Telegram, 3, func(i int, s *herald.Subscriber) { s.OperatorChat = i == 1 })
	bid := e.broadcast(hello, herald.Telegram)
	if _, err := e.eng.Start(context.Background(), bid); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the two free recipients are reached", func() bool { return e.fakes.Recorder.Count("telegram") == 2 })
	if got := e.fakes.Recorder.To("telegram", subs[1].ID); len(got) != 0 {
		t.Fatalf("held recipient got %v", got)
	}
	if _, err := e.st.UpdateSubscriber(subs[1].Key(), func(s *herald.Subscriber, _ bool) error { s.OperatorChat = false; return nil }); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the held recipient is counted", func() bool {
		ds, _ := e.st.Deliveries(e.lastRun(bid).ID, herald.Held, 0, 10)
		return len(ds) == 1
	})
	if err := e.eng.Release(context.Background(), subs[1].Key()); err != nil {
		t.Fatal(err)
	}
	run := e.wait(bid)
	if run.Status != herald.RunCompleted || len(e.fakes.Recorder.To("telegram", subs[1].ID)) != 1 {
		t.Errorf("run %s, released recipient got %d messages; want completed and 1", run.Status, len(e.fakes.Recorder.To("telegram", subs[1].ID)))
	}
}

func TestTooManyFailuresPauseTheRun(t *testing.T) {
	e := newEnv(t, nil)
	e.fakes.Telegram.Tokens("another-bot") // our token is refused: every send fails
	e.subscribe(herald.Telegram, 400, nil)
	bid := e.broadcast(hello, herald.Telegram)
	run := e.start(bid)

	if run.Status != herald.RunPaused || !strings.Contains(run.PauseReason, "threshold") {
		t.Fatalf("run %s (%q), want paused with the threshold as reason", run.Status, run.PauseReason)
	}
	if tl := run.Tally[herald.Telegram]; tl.Pending == 0 {
		t.Errorf("tally %+v: the pause should leave recipients pending", tl)
	}
	if b, _ := e.st.Broadcast(bid); b.Status != herald.StatusPaused {
		t.Errorf("broadcast %s, want paused", b.Status)
	}
	var told bool
	for _, p := range e.rep.progress {
		told = told || p.Status == herald.RunPaused && p.PauseReason != ""
	}
	if !told {
		t.Error("no progress event told the admin chat why it paused")
	}
}

func TestPauseResumeAndCancelMidRun(t *testing.T) {
	e, bid := startSlowRun(t)
	ctx := context.Background()
	rec := e.fakes.Recorder
	if _, err := e.eng.Pause(ctx, bid, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	run := e.wait(bid)
	atPause := rec.Count("telegram")
	if run.Status != herald.RunPaused || atPause >= 300 {
		t.Fatalf("after pause: run %s, %d sent; want paused mid-run", run.Status, atPause)
	}
	if got := run.Tally[herald.Telegram]; got.Sent != atPause {
		t.Errorf("tally says %d sent, the platform got %d", got.Sent, atPause)
	}

	if _, err := e.eng.Resume(ctx, bid, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "sending resumed", func() bool { return rec.Count("telegram") >= atPause+20 })
	if _, err := e.eng.Cancel(ctx, bid, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	run = e.wait(bid)
	tl := run.Tally[herald.Telegram]
	sent := rec.Count("telegram")
	// a pause leaves no recipient in flight: none is uncertain on resume
	if run.Status != herald.RunCanceled || sent >= 300 || tl.Sent != sent || tl.Skipped != 300-sent || tl.Pending != 0 || tl.Uncertain != 0 {
		t.Errorf("after cancel: run %s tally %+v, platform got %d; want canceled with the rest skipped, none uncertain", run.Status, tl, sent)
	}
	if d := rec.Duplicates("telegram"); len(d) != 0 {
		t.Errorf("duplicates %v", d)
	}
	if _, err := e.eng.Resume(ctx, bid, "x"); !errors.Is(err, herald.ErrInvalidTransition) {
		t.Errorf("resume after cancel: %v, want ErrInvalidTransition", err)
	}
}

func TestRetryFailedSendsOnlyToTheFailed(t *testing.T) {
	e := newEnv(t, func(o *dispatch.Options) { o.Backoff.MaxAttempts = 1; o.FailureThreshold = -1 })
	e.fakes.Telegram.Faults.FailNext(7, 500)
	e.subscribe(herald.Telegram, 50, nil)
	bid := e.broadcast(hello, herald.Telegram)
	first := e.start(bid)
	if tl := first.Tally[herald.Telegram]; tl.Failed != 7 || tl.Sent != 43 {
		t.Fatalf("first run tally %+v, want 7 failed", tl)
	}
	if _, err := e.eng.RetryFailed(context.Background(), bid, "slack:U1"); err != nil {
		t.Fatal(err)
	}
	second := e.wait(bid)
	if second.RetryOf != first.ID || second.Total != 7 || second.Tally[herald.Telegram].Sent != 7 {
		t.Errorf("retry run %+v, want 7 recipients of %s, all sent", second, first.ID)
	}
	rec := e.fakes.Recorder
	if rec.Recipients("telegram") != 50 || rec.Count("telegram") != 50 {
		t.Errorf("%d recipients, %d deliveries; want 50 once each", rec.Recipients("telegram"), rec.Count("telegram"))
	}
}
