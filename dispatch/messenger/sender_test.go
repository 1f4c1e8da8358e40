package messenger

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/platformtest"
)

func setup(t *testing.T) (*Sender, *platformtest.Messenger, *platformtest.Recorder) {
	t.Helper()
	rec := platformtest.NewRecorder(nil)
	s, fake := dispatchtest.Sender(t, rec, platformtest.NewMessenger, func(url string, c *http.Client) (*Sender, error) {
		return New(Config{PageToken: "page-token", AppSecret: "app-secret", BaseURL: url, Client: c})
	})
	fake.AllowTokens("page-token")
	fake.SetAppSecret("app-secret")
	return s, fake, rec
}

func msg(psid string, c herald.Content) *dispatch.Message {
	return &dispatch.Message{BroadcastID: "B-7K2Q", Content: c, Category: herald.Marketing,
		To: []dispatch.Recipient{{Seq: 1, Key: herald.SubscriberKey{Platform: herald.Messenger, ID: psid}, Kind: herald.KindUser}}}
}

func TestSendsEachContentKind(t *testing.T) {
	s, fake, rec := setup(t)
	btn := []herald.Button{{ID: "yes", Label: "Yes", Kind: herald.ActionButton}, {ID: "w", Label: "Web", Kind: herald.URLButton, URL: "https://example.com"}}
	cases := []struct {
		name    string
		content herald.Content
		want    []string // one fragment per message the person receives
	}{
		{"text", herald.Content{Kind: herald.TextContent, Text: "Hello"}, []string{`{"text":"Hello"}`}},
		{"image", herald.Content{Kind: herald.ImageContent, Images: []herald.Image{{URL: "https://img.example/a.jpg"}}},
			[]string{`"type":"image"`}},
		{"buttons", herald.Content{Kind: herald.TextContent, Text: "Join?", Buttons: btn},
			[]string{`"template_type":"button"`}},
		{"card", herald.Content{Kind: herald.CardContent, Title: "Menu", Text: "New", Images: []herald.Image{{URL: "https://img.example/c.jpg"}}, Buttons: btn},
			[]string{`"template_type":"generic"`}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			psid := "psid" + string(rune('a'+i))
			fake.Interacted(psid, time.Now())
			if _, err := s.Send(context.Background(), msg(psid, tc.content)); err != nil {
				t.Fatal(err)
			}
			got := rec.To("messenger", psid)
			if len(got) != len(tc.want) {
				t.Fatalf("%d messages, want %d: %+v", len(got), len(tc.want), got)
			}
			for j, w := range tc.want {
				if !strings.Contains(got[j].Content, w) {
					t.Errorf("message %d %s lacks %s", j, got[j].Content, w)
				}
			}
			if len(tc.content.Buttons) > 0 && !strings.Contains(got[0].Content, "hb1:B-7K2Q:yes") {
				t.Errorf("postback missing: %s", got[0].Content)
			}
		})
	}
}

func TestTagsNonMarketingOutsideTheWindow(t *testing.T) {
	s, fake, rec := setup(t)
	fake.Interacted("old", time.Now().Add(-72*time.Hour))
	m := msg("old", herald.Content{Kind: herald.TextContent, Text: "Your order shipped"})
	if _, err := s.Send(context.Background(), m); !errors.Is(err, herald.ErrOutsideWindow) {
		t.Errorf("marketing outside the window: %v, want ErrOutsideWindow", err)
	}
	m.Category, m.Tag = herald.NonMarketing, herald.TagPostPurchaseUpdate
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("tagged: %v", err)
	}
	if n := len(rec.To("messenger", "old")); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
}

func TestTranslatesPlatformErrors(t *testing.T) {
	s, fake, _ := setup(t)
	ctx := context.Background()
	for _, p := range []string{"gone", "a", "b", "c"} {
		fake.Interacted(p, time.Now())
	}
	text := herald.Content{Kind: herald.TextContent, Text: "hi"}
	fake.Faults.Block("gone")
	if _, err := s.Send(ctx, msg("gone", text)); !errors.Is(err, herald.ErrRecipientGone) {
		t.Errorf("551: %v, want ErrRecipientGone", err)
	}
	fake.Faults.SetRateLimit(1, time.Second)
	_, _ = s.Send(ctx, msg("a", text))
	var ra *herald.RetryAfterError
	if _, err := s.Send(ctx, msg("b", text)); !errors.As(err, &ra) {
		t.Errorf("613: %v, want RetryAfterError", err)
	}
	fake.Faults.SetRateLimit(0, 0)
	fake.Faults.FailNext(1, 503)
	var tmp *herald.TemporaryError
	if _, err := s.Send(ctx, msg("c", text)); !errors.As(err, &tmp) {
		t.Errorf("5xx: %v, want TemporaryError", err)
	}
	bad, _ := New(Config{PageToken: "page-token", AppSecret: "wrong", BaseURL: s.cfg.BaseURL, Client: s.cfg.Client})
	_, err := bad.Send(ctx, msg("c", text))
	if err == nil || errors.As(err, &tmp) || !strings.Contains(err.Error(), "appsecret_proof") || strings.Contains(err.Error(), "page-token") {
		t.Errorf("bad proof: %v, want a permanent error without the token", err)
	}
}

// The encoded content is reused from one recipient to the next: each still
// gets its own text when the text differs (personalised, or another
// broadcast's), and its own button payloads.
func TestEachRecipientGetsItsOwnContent(t *testing.T) {
	s, fake, rec := setup(t)
	btn := []herald.Button{{ID: "yes", Label: "Yes", Kind: herald.ActionButton}}
	sends := []struct{ psid, bid, text, want string }{
		{"ann", "B-7K2Q", "Hello Ann", `"text":"Hello Ann"`},
		{"bob", "B-7K2Q", "Hello Bob", `"text":"Hello Bob"`},
		{"cy", "B-7K2Q", "Hello Bob", `"text":"Hello Bob"`},
		{"dee", "B-9ZZZ", "Hello Bob", "hb1:B-9ZZZ:yes"},
		{"eve", "B-9ZZZ", `Say "hi" <b>`, `"text":"Say \"hi\" \u003cb\u003e"`},
	}
	for _, x := range sends {
		fake.Interacted(x.psid, time.Now())
		m := msg(x.psid, herald.Content{Kind: herald.TextContent, Text: x.text, Buttons: btn})
		m.BroadcastID = x.bid
		if _, err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", x.psid, err)
		}
		got := rec.To("messenger", x.psid)
		if len(got) != 1 || !strings.Contains(got[0].Content, x.want) {
			t.Errorf("%s got %+v, want one message with %s", x.psid, got, x.want)
		}
	}
}

// A run's workers each keep their connection to the Send API: a sender
// given no client opens connections for its first concurrent sends, not
// one per recipient.
func TestDefaultClientReusesConnections(t *testing.T) {
	fake := platformtest.NewMessenger(platformtest.NewRecorder(nil))
	fake.AllowTokens("page-token")
	var opened atomic.Int32
	srv := httptest.NewUnstartedServer(fake)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	s, err := New(Config{PageToken: "page-token", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	const workers = 16
	sendAll := func(each int) {
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					psid := fmt.Sprintf("psid%d-%d", w, i)
					fake.Interacted(psid, time.Now())
					if _, err := s.Send(context.Background(), msg(psid, herald.Content{Kind: herald.TextContent, Text: "Hi"})); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	// Each dial adds a connection that stays, and a send dials only while
	// fewer connections than workers exist: fewer than two per worker in
	// all, however many are sent.
	sendAll(20)
	if n := opened.Load(); n >= 2*workers {
		t.Fatalf("%d connections opened for %d sends by %d workers, want fewer than %d", n, workers*20, workers, 2*workers)
	}
}
