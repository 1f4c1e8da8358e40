package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/platformtest"
)

func setup(t *testing.T) (*Sender, *platformtest.LINE, *platformtest.Recorder) {
	t.Helper()
	rec := platformtest.NewRecorder(nil)
	s, fake := dispatchtest.Sender(t, rec, platformtest.NewLINE, func(url string, c *http.Client) (*Sender, error) {
		return New(Config{Token: "line-token", BaseURL: url, Client: c})
	})
	return s, fake, rec
}

func to(ids ...string) []dispatch.Recipient {
	out := make([]dispatch.Recipient, len(ids))
	for i, id := range ids {
		out[i] = dispatch.Recipient{Seq: uint32(i + 1), Key: herald.SubscriberKey{Platform: herald.LINE, ID: id}, Kind: herald.KindUser}
	}
	return out
}

const key1 = "0f8fad5b-d9cb-469f-a165-70867728950e"

func TestSendsEachContentKind(t *testing.T) {
	s, _, rec := setup(t)
	cases := []struct {
		name    string
		content herald.Content
		want    []string // fragments of what LINE received
	}{
		{"text", herald.Content{Kind: herald.TextContent, Text: "Hello"}, []string{`"type":"text"`, `"text":"Hello"`}},
		{"images", herald.Content{Kind: herald.ImageContent, Text: "Pics",
			Images: []herald.Image{{URL: "https://img.example/a.jpg"}, {URL: "https://img.example/b.jpg"}}},
			[]string{`"text":"Pics"`, `"originalContentUrl":"https://img.example/a.jpg"`, `"previewImageUrl":"https://img.example/b.jpg"`}},
		{"text with buttons", herald.Content{Kind: herald.TextContent, Text: "Join?", Buttons: []herald.Button{
			{ID: "yes", Label: "Yes", Kind: herald.ActionButton}, {ID: "web", Label: "Web", Kind: herald.URLButton, URL: "https://example.com"}}},
			[]string{`"type":"flex"`, `"data":"hb1:B-7K2Q:yes"`, `"uri":"https://example.com"`, `"text":"Join?"`}},
		{"card", herald.Content{Kind: herald.CardContent, Title: "Menu", Text: "New dishes",
			Images: []herald.Image{{URL: "https://img.example/c.jpg"}}, Buttons: []herald.Button{{ID: "b", Label: "Book", Kind: herald.ActionButton}}},
			[]string{`"altText":"Menu"`, `"hero":{`, `"url":"https://img.example/c.jpg"`, `"weight":"bold"`, `"text":"New dishes"`}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			user := fmt.Sprintf("U%032d", i)
			key := fmt.Sprintf("0f8fad5b-d9cb-469f-a165-7086772895%02d", i)
			if _, err := s.Send(context.Background(), &dispatch.Message{BroadcastID: "B-7K2Q", To: to(user), Content: tc.content, RetryKey: key}); err != nil {
				t.Fatal(err)
			}
			got := rec.To("line", user)
			if len(got) != 1 || got[0].Method != "push" {
				t.Fatalf("deliveries %+v, want one push", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0].Content, w) {
					t.Errorf("content %s lacks %s", got[0].Content, w)
				}
			}
			if strings.Contains(got[0].Content, `"flex":0`) {
				t.Errorf("content carries the SDK's zero values: %s", got[0].Content)
			}
		})
	}
}

func TestMulticastRetryKeyDeliversOnce(t *testing.T) {
	s, fake, rec := setup(t)
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%032d", i)
	}
	m := &dispatch.Message{BroadcastID: "B-7K2Q", To: to(ids...), Content: herald.Content{Kind: herald.TextContent, Text: "All"}, RetryKey: key1}
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	// the same request again, as after a timeout or a restart
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("resend with the same key: %v, want success (409 is accepted)", err)
	}
	if n := rec.Count("line"); n != 500 {
		t.Errorf("%d deliveries, want 500", n)
	}
	if d := rec.Duplicates("line"); len(d) != 0 {
		t.Errorf("duplicates: %v", d)
	}
	if _, err := s.Send(context.Background(), &dispatch.Message{To: to(append(ids, "Uextra")...), RetryKey: key1}); err == nil {
		t.Error("501 recipients accepted")
	}
	_ = fake
}

func TestTranslatesPlatformErrors(t *testing.T) {
	s, fake, _ := setup(t)
	ctx := context.Background()
	text := herald.Content{Kind: herald.TextContent, Text: "hi"}
	n := 0
	send := func(user string) error {
		n++
		_, err := s.Send(ctx, &dispatch.Message{To: to(user), Content: text, RetryKey: fmt.Sprintf("0f8fad5b-d9cb-469f-a165-7086772890%02d", n)})
		return err
	}
	fake.Faults.Block("Ublocked")
	if err := send("Ublocked"); !errors.Is(err, herald.ErrRecipientGone) {
		t.Errorf("blocked: %v, want ErrRecipientGone", err)
	}
	fake.Faults.SetRateLimit(1, 2*time.Second)
	_ = send("Ua")
	var ra *herald.RetryAfterError
	if err := send("Ub"); !errors.As(err, &ra) {
		t.Errorf("rate limited: %v, want RetryAfterError", err)
	}
	fake.Faults.SetRateLimit(0, 0)
	fake.Faults.FailNext(1, 500)
	var tmp *herald.TemporaryError
	if err := send("Uc"); !errors.As(err, &tmp) {
		t.Errorf("5xx: %v, want TemporaryError", err)
	}
	_, err := s.Send(ctx, &dispatch.Message{To: to("Ud"), Content: herald.Content{Kind: herald.TextContent, Text: strings.Repeat("x", 5001)}, RetryKey: key1})
	if err == nil || errors.As(err, &tmp) || !strings.Contains(err.Error(), "messages[0].text") {
		t.Errorf("too long: %v, want a permanent error naming the property", err)
	}
}

// pictures are n image URLs, a.jpg onwards.
func pictures(n int) []herald.Image {
	out := make([]herald.Image, n)
	for i := range out {
		out[i] = herald.Image{URL: fmt.Sprintf("https://img.example/%c.jpg", 'a'+i)}
	}
	return out
}

func TestManyPicturesGoInOrderedParts(t *testing.T) {
	s, fake, rec := setup(t)
	ctx := context.Background()
	const user = "U00000000000000000000000000000042"
	m := &dispatch.Message{BroadcastID: "B-7K2Q", To: to(user), RetryKey: key1,
		Content: herald.Content{Kind: herald.ImageContent, Text: "Ten pictures", Images: pictures(herald.MaxImages)}}
	// The second request is delivered but its answer is lost: the engine
	// sends the message again with the same key.
	fake.LoseAnswer(2)
	_, err := s.Send(ctx, m)
	var tmp *herald.TemporaryError
	if !errors.As(err, &tmp) || !strings.Contains(err.Error(), "first 1 of 3 parts") {
		t.Fatalf("lost answer: %v, want a temporary error after part 1 of 3", err)
	}
	if _, err := s.Send(ctx, m); err != nil {
		t.Fatalf("resend: %v", err)
	}
	got := rec.To("line", user)
	if len(got) != 3 {
		t.Fatalf("%d requests delivered, want 3 (5 + 5 pictures, then the text)", len(got))
	}
	if d := rec.Duplicates("line"); len(d) != 0 {
		t.Errorf("the resend delivered again: %v", d)
	}
	want := []string{"a.jpg", "e.jpg", "f.jpg", "j.jpg", "Ten pictures"}
	joined := got[0].Content + "|" + got[1].Content + "|" + got[2].Content
	last := -1
	for _, w := range want {
		i := strings.Index(joined, w)
		if i <= last {
			t.Fatalf("%q missing or out of order in %s", w, joined)
		}
		last = i
	}
	if p := [3]string{types(t, got[0]), types(t, got[1]), types(t, got[2])}; p != [3]string{
		"image image image image image", "image image image image image", "text"} {
		t.Errorf("parts = %q", p)
	}
	conflicts := 0
	for _, r := range rec.Rejected("line") {
		if r.Status == 409 {
			conflicts++
		}
	}
	if conflicts != 2 {
		t.Errorf("%d requests answered 409, want the two parts already delivered", conflicts)
	}
}

func TestPartRetryKeysAreDistinctAndStable(t *testing.T) {
	seen := map[string]bool{}
	for i := range 3 {
		k := partRetryKey(key1, i)
		if k != partRetryKey(key1, i) || seen[k] || len(k) != 36 || k[14] != '5' && i > 0 {
			t.Errorf("part %d key %q: not stable, not distinct or not a UUID", i, k)
		}
		seen[k] = true
	}
	if partRetryKey(key1, 0) != key1 {
		t.Error("a one-part message changed its retry key")
	}
}

// TestPartRetryKeysAreTheKeysOfEarlierReleases pins part keys derived by
// the hand-written SHA-1 code that came before the uuid package: a run
// resumed after an upgrade must send the same X-Line-Retry-Key for each part.
func TestPartRetryKeysAreTheKeysOfEarlierReleases(t *testing.T) {
	for _, tc := range []struct {
		base string
		part int
		want string
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", 0, "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", 1, "c8077280-de0c-5397-b361-40c02dd8dc30"},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", 2, "3778b32a-5dc9-5fb9-8d9e-0b38f599547e"},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", 3, "929d8573-fcd3-5a43-ab7f-ba09970eea4b"},
		{"c6a1b7e2-3f4d-5a6b-8c9d-0e1f2a3b4c5d", 1, "c5daf96a-0484-5e1e-be6e-f82a6f261f17"},
		{"c6a1b7e2-3f4d-5a6b-8c9d-0e1f2a3b4c5d", 2, "56fffff3-5cb6-5505-a868-8efec7edfdd3"},
		{"c6a1b7e2-3f4d-5a6b-8c9d-0e1f2a3b4c5d", 3, "5775f293-115e-5485-bcde-22015fe5e0aa"},
		{"", 2, ""},
	} {
		if got := partRetryKey(tc.base, tc.part); got != tc.want {
			t.Errorf("partRetryKey(%q, %d) = %s, want %s as before", tc.base, tc.part, got, tc.want)
		}
	}
}

func TestPicturesWithButtons(t *testing.T) {
	s, _, rec := setup(t)
	buttons := []herald.Button{{ID: "yes", Label: "Yes", Kind: herald.ActionButton}}
	for i, tc := range []struct {
		images int
		want   []string // the message types, in order
	}{
		{1, []string{"flex"}},
		{3, []string{"image", "image", "image", "flex"}},
		{10, []string{"image", "image", "image", "image", "image", "image", "image", "image", "image", "image", "flex"}},
	} {
		user := fmt.Sprintf("U%032d", 100+i)
		_, err := s.Send(context.Background(), &dispatch.Message{BroadcastID: "B-7K2Q", To: to(user),
			RetryKey: fmt.Sprintf("0f8fad5b-d9cb-469f-a165-7086772896%02d", i),
			Content:  herald.Content{Kind: herald.ImageContent, Text: "Vote", Images: pictures(tc.images), Buttons: buttons}})
		if err != nil {
			t.Fatal(err)
		}
		var sent []string
		for _, d := range rec.To("line", user) {
			sent = append(sent, types(t, d))
		}
		if strings.Join(sent, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%d pictures with buttons sent %v, want %v", tc.images, sent, tc.want)
		}
	}
}

func TestAPartRefusedForGoodSaysWhatWasDelivered(t *testing.T) {
	s, _, rec := setup(t)
	images := pictures(herald.MaxImages)
	images[6].URL = "https://img.example/" + strings.Repeat("g", 2000) + ".jpg" // too long for LINE
	const user = "U00000000000000000000000000000077"
	_, err := s.Send(context.Background(), &dispatch.Message{To: to(user), RetryKey: key1,
		Content: herald.Content{Kind: herald.ImageContent, Text: "Oops", Images: images}})
	var tmp *herald.TemporaryError
	if err == nil || errors.As(err, &tmp) || !strings.Contains(err.Error(), "originalContentUrl") ||
		!strings.Contains(err.Error(), "first 1 of 3 parts were delivered") {
		t.Errorf("refused part: %v, want a permanent error with LINE's reason and what was delivered", err)
	}
	if n := len(rec.To("line", user)); n != 1 {
		t.Errorf("%d requests delivered, want 1 (the parts after the refused one are not sent)", n)
	}
}

// types are the types of the messages one request delivered, in order.
func types(t *testing.T, d platformtest.Delivery) string {
	t.Helper()
	var msgs []struct{ Type string }
	if err := json.Unmarshal([]byte(d.Content), &msgs); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Type
	}
	return strings.Join(out, " ")
}

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
