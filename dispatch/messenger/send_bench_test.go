package messenger

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/heraldbot/herald"
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
