package dispatch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
)

// The wizard's "Send test to me" is wired to the engine.
var _ flows.TestSender = (*dispatch.Engine)(nil)

// offer has a link, an action button and a personalised greeting.
var offer = herald.Content{Kind: herald.TextContent, Text: "Hi {name}, 20% off today only",
	Buttons: []herald.Button{
		{ID: "shop", Label: "Shop now", Kind: herald.URLButton, URL: "https://shop.example/sale"},
		{ID: "keen", Label: "Tell me more", Kind: herald.ActionButton, AddTags: []string{"keen"}},
	}}

var everyChannel = []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger}

// tester is the admin's own account: subscriber 1 on each platform.
const tester = 1

func testerKey(p herald.Platform) herald.SubscriberKey {
	return herald.SubscriberKey{Platform: p, ID: subscriberID(p, tester)}
}

func nameTester(i int, s *herald.Subscriber) {
	if i == tester {
		s.Name = "Tess"
	}
}

// sendSpy notes how each Messenger request was sent (messaging_type and
// tag), which the fakes check but do not record.
type sendSpy struct {
	mu   sync.Mutex
	sent map[string][]string // PSID → "TYPE" or "MESSAGE_TAG/TAG", in order
}

func (s *sendSpy) saw(psid string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[psid]
}

// testEngine is a second engine on e's store and fakes, as cmd/bot's one
// engine would be, whose requests pass by a sendSpy on their way to the
// fakes. Real runs in these tests go through e.eng.
func (e *env) testEngine(tune func(*dispatch.Options)) (*dispatch.Engine, *sendSpy) {
	e.t.Helper()
	spy := &sendSpy{sent: map[string][]string{}}
	fakes := e.fakes.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/messenger/") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			var req struct {
				Recipient     struct{ ID string } `json:"recipient"`
				MessagingType string              `json:"messaging_type"`
				Tag           string              `json:"tag"`
			}
			_ = json.Unmarshal(body, &req)
			how := req.MessagingType
			if req.Tag != "" {
				how += "/" + req.Tag
			}
			spy.mu.Lock()
			spy.sent[req.Recipient.ID] = append(spy.sent[req.Recipient.ID], how)
			spy.mu.Unlock()
		}
		fakes.ServeHTTP(w, r)
	}))
	e.t.Cleanup(srv.Close)
	opts := e.opts
	if tune != nil {
		tune(&opts)
	}
	return dispatch.New(e.st, senders(e.t, srv.URL), opts), spy
}

func (e *env) stored(bid string) herald.Broadcast {
	e.t.Helper()
	b, err := e.st.Broadcast(bid)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func TestSendTestDeliversWhatTheRunWillSend(t *testing.T) {
	for name, c := range map[string]herald.Content{
		"personalised": offer,
		// the same for everyone: the run multicasts on LINE, the test pushes
		"plain": {Kind: herald.TextContent, Text: "Flash sale today", Buttons: offer.Buttons},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			te, spy := e.testEngine(nil)
			for _, p := range everyChannel {
				e.subscribe(p, 3, nameTester)
			}
			bid := e.broadcast(c, everyChannel...)
			b := e.stored(bid)
			rec := e.fakes.Recorder

			for _, p := range everyChannel {
				if err := te.SendTest(context.Background(), &b, testerKey(p)); err != nil {
					t.Fatalf("test send on %s: %v", p, err)
				}
			}

			if n := rec.Count(""); n != 3 {
				t.Fatalf("%d messages arrived after three test sends, want one per channel", n)
			}
			if runs, err := e.st.RunsOf(bid); err != nil || len(runs) != 0 {
				t.Fatalf("test sends created runs %v (%v)", runs, err)
			}
			if after := e.stored(bid); after.Status != herald.StatusScheduled {
				t.Errorf("broadcast is %s after a test, want still scheduled", after.Status)
			}
			if _, ok := e.rep.last(); ok || len(e.rep.progress) > 0 {
				t.Errorf("a test send was reported: %+v", e.rep.reports)
			}

			run := e.start(bid)

			if run.Total != 9 || run.Tally[herald.Messenger].Sent != 3 {
				t.Errorf("run %d recipients, tally %+v; the tests must not count", run.Total, run.Tally)
			}
			for _, p := range everyChannel {
				got := rec.To(string(p), testerKey(p).ID)
				if len(got) != 2 {
					t.Fatalf("%s tester got %d messages, want the test and the run's", p, len(got))
				}
				test, real := got[0], got[1]
				if test.Content != real.Content {
					t.Errorf("%s test differs from the run's message:\ntest %s\nrun  %s", p, test.Content, real.Content)
				}
				if personal := strings.Contains(test.Content, "Hi Tess,"); personal != (name == "personalised") {
					t.Errorf("%s test %q: greeting Tess = %v", p, test.Content, personal)
				}
			}
			// Telegram's record shows button labels only: compare the keyboards
			// (callback data included) too.
			chat, _ := strconv.ParseInt(testerKey(herald.Telegram).ID, 10, 64)
			if msgs := e.fakes.Telegram.Sent(chat); len(msgs) != 2 || msgs[0].ReplyMarkup == "" ||
				msgs[0].ReplyMarkup != msgs[1].ReplyMarkup || msgs[0].ParseMode != msgs[1].ParseMode {
				t.Errorf("Telegram test and run differ: %+v", msgs)
			}
			if got := spy.saw(testerKey(herald.Messenger).ID); len(got) != 1 || got[0] != "RESPONSE" {
				t.Errorf("Messenger test sent as %v, want RESPONSE (the tester wrote within 24 hours)", got)
			}
		})
	}
}

func TestSendTestToAnUnknownTesterSaysWhatToDo(t *testing.T) {
	e := newEnv(t, nil)
	te, _ := e.testEngine(nil)
	e.subscribe(herald.LINE, 1, nil)
	b := e.stored(e.broadcast(offer, herald.LINE))

	err := te.SendTest(context.Background(), &b, herald.SubscriberKey{Platform: herald.LINE, ID: subscriberID(herald.LINE, 7)})

	if !errors.Is(err, herald.ErrNotFound) || !strings.Contains(err.Error(), "message the bot there first") {
		t.Fatalf("unknown tester: %v; want ErrNotFound saying to message the bot first", err)
	}
	if n := e.fakes.Recorder.Count(""); n != 0 {
		t.Errorf("%d messages sent to an unknown tester", n)
	}
}

func TestSendTestOnMessengerOutsideTheWindow(t *testing.T) {
	e := newEnv(t, nil)
	te, spy := e.testEngine(nil)
	e.subscribe(herald.Messenger, 2, func(i int, s *herald.Subscriber) {
		s.LastInteraction = e.clock.Now().Add(-30 * time.Hour)
		if i == 0 {
			s.LastInteraction = time.Time{}
		}
	})
	marketing := e.stored(e.broadcast(offer, herald.Messenger))

	err := te.SendTest(context.Background(), &marketing, testerKey(herald.Messenger))
	if !errors.Is(err, herald.ErrOutsideWindow) || !strings.Contains(err.Error(), "message the page, then send the test again") ||
		!strings.Contains(err.Error(), "30h0m0s ago") {
		t.Fatalf("marketing test outside the window: %v; want ErrOutsideWindow explaining to message the page", err)
	}
	never := herald.SubscriberKey{Platform: herald.Messenger, ID: subscriberID(herald.Messenger, 0)}
	if err := te.SendTest(context.Background(), &marketing, never); !errors.Is(err, herald.ErrOutsideWindow) ||
		!strings.Contains(err.Error(), "never written to the page") {
		t.Errorf("tester who never wrote: %v", err)
	}
	if n, rej := e.fakes.Recorder.Count(""), e.fakes.Recorder.Rejected(""); n != 0 || len(rej) != 0 {
		t.Fatalf("%d sent, %v refused; the window is known before asking the platform", n, rej)
	}

	// A tagged update may go outside the window, tag and all.
	update := marketing
	update.Category, update.Tag = herald.NonMarketing, herald.TagAccountUpdate
	if err := te.SendTest(context.Background(), &update, testerKey(herald.Messenger)); err != nil {
		t.Fatalf("tagged test outside the window: %v", err)
	}
	if got := spy.saw(testerKey(herald.Messenger).ID); len(got) != 1 || got[0] != "MESSAGE_TAG/ACCOUNT_UPDATE" {
		t.Errorf("tagged test sent as %v, want MESSAGE_TAG/ACCOUNT_UPDATE", got)
	}
}

func TestSendTestWaitsForTheRateLimiter(t *testing.T) {
	e := newEnv(t, nil)
	te, _ := e.testEngine(func(o *dispatch.Options) { o.Limits.PerSecond = map[string]float64{telegram.Class: 1} })
	e.subscribe(herald.Telegram, 2, nil)
	b := e.stored(e.broadcast(hello, herald.Telegram))

	for i := range 2 {
		key := herald.SubscriberKey{Platform: herald.Telegram, ID: subscriberID(herald.Telegram, i)}
		if err := te.SendTest(context.Background(), &b, key); err != nil {
			t.Fatal(err)
		}
	}

	ds := e.fakes.Recorder.Deliveries("telegram")
	if len(ds) != 2 || ds[1].At.Sub(ds[0].At) < time.Second {
		t.Fatalf("two tests at one message a second arrived %v", ds)
	}
}

func TestSendTestOfADraftChangesNoSubscriber(t *testing.T) {
	e := newEnv(t, nil)
	te, _ := e.testEngine(nil)
	subs := e.subscribe(herald.Telegram, 3, func(i int, s *herald.Subscriber) {
		nameTester(i, s)
		s.OperatorChat = i == tester
	})
	e.fakes.Telegram.Faults.Block(subs[2].ID)
	// the wizard's draft: never stored, no ID yet
	draft := herald.Broadcast{Name: "draft", Status: herald.StatusDraft, Content: offer, Category: herald.Marketing,
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users}}

	if err := te.SendTest(context.Background(), &draft, testerKey(herald.Telegram)); err != nil {
		t.Fatalf("test of a draft to a tester in an operator chat: %v", err)
	}
	gone := subs[2].Key()
	if err := te.SendTest(context.Background(), &draft, gone); !errors.Is(err, herald.ErrRecipientGone) ||
		!strings.Contains(err.Error(), "blocked the bot") {
		t.Errorf("tester who blocked the bot: %v; want ErrRecipientGone", err)
	}
	if err := te.SendTest(context.Background(), &draft, testerKey(herald.LINE)); err == nil ||
		!strings.Contains(err.Error(), "does not go out on line") {
		t.Errorf("test on a channel the broadcast does not use: %v", err)
	}

	got := e.fakes.Recorder.To("telegram", testerKey(herald.Telegram).ID)
	if len(got) != 1 || !strings.Contains(got[0].Content, "Hi Tess,") {
		t.Fatalf("draft test arrived as %v", got)
	}
	if s, _ := e.st.Subscriber(testerKey(herald.Telegram)); !s.OperatorChat {
		t.Error("a test send ended the tester's operator chat")
	}
	if s, _ := e.st.Subscriber(gone); s.State != herald.Subscribed {
		t.Errorf("a failed test marked the tester %s", s.State)
	}
}

func TestSendTestTwiceArrivesTwice(t *testing.T) {
	e := newEnv(t, nil)
	te, _ := e.testEngine(nil)
	e.subscribe(herald.LINE, 2, nameTester)
	b := e.stored(e.broadcast(offer, herald.LINE))

	for range 2 { // the admin fixed nothing and pressed "Send test to me" again
		if err := te.SendTest(context.Background(), &b, testerKey(herald.LINE)); err != nil {
			t.Fatal(err)
		}
	}

	if got := e.fakes.Recorder.To("line", testerKey(herald.LINE).ID); len(got) != 2 {
		t.Fatalf("second test: %d messages arrived, want 2 (LINE drops a repeated retry key)", len(got))
	}
}
