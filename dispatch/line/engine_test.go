package line_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// The largest picture broadcast Herald allows, to more people than one
// multicast carries: every recipient gets every part once, in order, even
// when requests fail on the way (before LINE took them, or after).
func TestTenPicturesAndTextByMulticast(t *testing.T) {
	c, st, fake, rec, eng := newLineRig(t)

	const n = 1200
	b, subs := lookbook(t, st, n, c.Now())
	// The first request fails before LINE takes it; the fifth is taken but
	// its answer is lost, so the whole message is sent again with the same
	// retry keys.
	fake.Faults.FailNext(1, 503)
	fake.LoseAnswer(5)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run, err := eng.Start(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	// Every recipient got the three parts once each, in order.
	byRecipient := map[string][]platformtest.Delivery{}
	for _, d := range rec.Deliveries("line") {
		byRecipient[d.Recipient] = append(byRecipient[d.Recipient], d)
	}
	for _, sub := range subs {
		got := byRecipient[sub.ID]
		if len(got) != 3 {
			t.Fatalf("%s got %d requests' worth, want 3", sub.ID, len(got))
		}
		if !strings.Contains(got[0].Content, "/0.jpg") || !strings.Contains(got[1].Content, "/9.jpg") ||
			!strings.Contains(got[2].Content, "Our autumn lookbook") {
			t.Fatalf("%s got the parts out of order: %v", sub.ID, got)
		}
		for _, d := range got {
			if d.Method != "multicast" {
				t.Fatalf("%s got a %s, want multicasts", sub.ID, d.Method)
			}
		}
	}
	if d := rec.Duplicates("line"); len(d) != 0 {
		t.Errorf("%d recipients got a part twice", len(d))
	}
	conflicts := 0
	for _, r := range rec.Rejected("line") {
		if r.Status == 409 {
			conflicts++
		}
	}
	if conflicts == 0 {
		t.Error("no request was answered 409: the lost answer was never retried with its key")
	}
	// One outcome per recipient, all sent.
	ds, err := st.Deliveries(run.ID, "", 0, 2*n)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, d := range ds {
		if d.Outcome == herald.Sent {
			sent++
		}
	}
	if len(ds) != n || sent != n {
		t.Errorf("%d records, %d sent; want %d sent", len(ds), sent, n)
	}
}

// newLineRig is the engine with the real LINE sender, a real store and the
// LINE fake over HTTP, on a clock that moves when the engine waits.
func newLineRig(t *testing.T) (*platformtest.Clock, *storage.Store, *platformtest.LINE, *platformtest.Recorder, *dispatch.Engine) {
	t.Helper()
	return newObservedLineRig(t, nil)
}

// newObservedLineRig is newLineRig with the engine reporting to obs.
func newObservedLineRig(t *testing.T, obs dispatch.Observer) (*platformtest.Clock, *storage.Store, *platformtest.LINE, *platformtest.Recorder, *dispatch.Engine) {
	t.Helper()
	c, st := dispatchtest.Open(t)
	rec := platformtest.NewRecorder(c.Now)
	s, fake := dispatchtest.Sender(t, rec, platformtest.NewLINE, func(url string, hc *http.Client) (*line.Sender, error) {
		return line.New(line.Config{Token: "line-engine", BaseURL: url, Client: hc})
	})
	eng := dispatchtest.Engine(t, st, map[herald.Platform]dispatch.Sender{herald.LINE: s},
		dispatch.Options{Workers: 4, Now: c.Now, Sleep: c.Sleep, Jitter: func() float64 { return 0.5 }, ControlPoll: 50 * time.Millisecond,
			Observer: obs})
	return c, st, fake, rec, eng
}

// lookbook stores n LINE users and the largest picture broadcast Herald
// allows, to all of them: ten pictures and a caption, three requests.
func lookbook(t *testing.T, st *storage.Store, n int, at time.Time) (herald.Broadcast, []herald.Subscriber) {
	t.Helper()
	subs := dispatchtest.LINEUsers(t, st, n)
	images := make([]herald.Image, herald.MaxImages)
	for i := range images {
		images[i] = herald.Image{URL: fmt.Sprintf("https://img.example/%d.jpg", i)}
	}
	b := herald.Broadcast{Name: "Autumn lookbook", Status: herald.StatusScheduled,
		Content:  herald.Content{Kind: herald.ImageContent, Text: "Our autumn lookbook", Images: images},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users},
		Category: herald.Marketing, Schedule: herald.Schedule{Kind: herald.SendNow, At: at}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	return b, subs
}

// The month's quota runs out after the first of the three parts reached
// everyone: the recipients fail with that said, and once the quota is
// raised "Retry failed" sends each of them the other two parts, by push,
// and not the first again.
func TestRetryAfterAPartialDeliverySendsOnlyTheRest(t *testing.T) {
	c, st, fake, rec, eng := newLineRig(t)
	const n = 4
	b, subs := lookbook(t, st, n, c.Now())
	fake.SetQuota(n) // one multicast of the first part to all four

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	first, err := eng.Start(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Deliveries(first.ID, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Outcome != herald.Failed || d.PartsDone != 1 || !strings.Contains(d.Reason, "monthly limit") ||
			!strings.Contains(d.Reason, "the first 1 of 3 parts were delivered") {
			t.Fatalf("after the quota ran out: %+v", d)
		}
	}

	fake.SetQuota(0)
	retry, err := eng.RetryFailed(ctx, b.ID, "console:alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		got := rec.To("line", sub.ID)
		if len(got) != 3 {
			t.Fatalf("%s got %d parts in all, want 3: %v", sub.ID, len(got), got)
		}
		if !strings.Contains(got[0].Content, "/0.jpg") || got[0].Method != "multicast" ||
			!strings.Contains(got[1].Content, "/5.jpg") || got[1].Method != "push" ||
			!strings.Contains(got[2].Content, "Our autumn lookbook") || got[2].Method != "push" {
			t.Errorf("%s got, in order: %v", sub.ID, got)
		}
	}
	if d := rec.Duplicates("line"); len(d) != 0 {
		t.Errorf("%d recipients got a part twice", len(d))
	}
	ds, err = st.Deliveries(retry.ID, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Outcome != herald.Sent {
			t.Errorf("retry of %s: %s %s", d.Recipient.ID, d.Outcome, d.Reason)
		}
	}
}
