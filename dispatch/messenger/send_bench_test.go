package messenger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// BenchmarkSend is one recipient's text message against a server that
// answers at once: the sender's own cost per recipient besides the
// round trip's (-benchmem shows its allocations).
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"recipient_id":"psid1","message_id":"m_1"}`)
	}))
	defer srv.Close()
	s, err := New(Config{PageToken: "page-token", AppSecret: "app-secret", BaseURL: srv.URL, Client: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	m := msg("psid1", herald.Content{Kind: herald.TextContent, Text: "Herald benchmark: hello!"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendBatch is a batch of 50 text messages against a server that
// answers each call at once: the sender's cost per batch (divide by 50
// for a recipient's) besides the round trip's.
func BenchmarkSendBatch(b *testing.B) {
	benchBatch(b, func(m *dispatch.Message) {})
}

// BenchmarkSendBatchPersonal is BenchmarkSendBatch with each person's own
// text (dispatch.Message.Contents): each call's message rendered and
// encoded on its own.
func BenchmarkSendBatchPersonal(b *testing.B) {
	benchBatch(b, func(m *dispatch.Message) {
		m.Contents = make([]herald.Content, len(m.To))
		for i := range m.Contents {
			m.Contents[i] = herald.Content{Kind: herald.TextContent, Text: fmt.Sprintf("Herald benchmark: hello, Ann %d!", i)}
		}
		m.Content = m.Contents[0]
	})
}

// benchBatch sends a batch of 50, made by batchMsg and then edit, in a loop.
func benchBatch(b *testing.B, edit func(m *dispatch.Message)) {
	call := `{"code":200,"body":"{\"recipient_id\":\"psid1\",\"message_id\":\"m_1\"}"}`
	answer := "[" + strings.Repeat(call+",", 49) + call + "]"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	s, err := New(Config{PageToken: "page-token", AppSecret: "app-secret", BaseURL: srv.URL, Client: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	psids := make([]string, 50)
	for i := range psids {
		psids[i] = fmt.Sprint(27000000000000 + i)
	}
	m := batchMsg(herald.Content{Kind: herald.TextContent, Text: "Herald benchmark: hello!"}, psids...)
	edit(m)
	b.ReportAllocs()
	for b.Loop() {
		var each *dispatch.EachError
		if _, err := s.Send(context.Background(), m); !errors.As(err, &each) || each.Errs[49] != nil {
			b.Fatal(err)
		}
	}
}
