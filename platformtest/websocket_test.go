package platformtest

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// wsClient is a hand-rolled websocket client, to send what real clients
// never would (unmasked frames, odd fragments).
type wsClient struct {
	net.Conn
	br *bufio.Reader
}

// rawHandshake dials wsURL and performs the opening handshake with key;
// it returns the connection (nil unless 101) and the HTTP status.
func rawHandshake(t *testing.T, serverURL, wsURL, key string) (*wsClient, int) {
	t.Helper()
	u, _ := url.Parse(wsURL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nOrigin: https://api.slack.com\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, res.StatusCode
	}
	// RFC 6455 section 1.3's worked example.
	if key == "dGhlIHNhbXBsZSBub25jZQ==" && res.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("Sec-WebSocket-Accept = %q", res.Header.Get("Sec-WebSocket-Accept"))
	}
	return &wsClient{Conn: conn, br: br}, res.StatusCode
}

func (c *wsClient) send(t *testing.T, fin bool, op byte, payload []byte, masked bool) {
	t.Helper()
	b0 := op
	if fin {
		b0 |= 0x80
	}
	hdr := []byte{b0, byte(len(payload))}
	if len(payload) >= 126 {
		hdr = append([]byte{b0, 126}, binary.BigEndian.AppendUint16(nil, uint16(len(payload)))...)
	}
	body := append([]byte(nil), payload...)
	if masked {
		hdr[1] |= 0x80
		mask := []byte{1, 2, 3, 4}
		hdr = append(hdr, mask...)
		for i := range body {
			body[i] ^= mask[i%4]
		}
	}
	if _, err := c.Write(append(hdr, body...)); err != nil {
		t.Fatal(err)
	}
}

// recv reads one (unmasked, unfragmented) server frame.
func (c *wsClient) recv(t *testing.T) (byte, []byte) {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		t.Fatal(err)
	}
	n := int(h[1] & 0x7F)
	if n == 126 {
		var b [2]byte
		_, _ = io.ReadFull(c.br, b[:])
		n = int(binary.BigEndian.Uint16(b[:]))
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(c.br, p); err != nil {
		t.Fatal(err)
	}
	return h[0] & 0x0F, p
}

// echoServer accepts websockets and echoes each message back.
func echoServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := acceptWebSocket(w, r)
		if err != nil {
			return
		}
		defer ws.close(closeNormal, "")
		for {
			msg, err := ws.readMessage()
			if err != nil {
				return
			}
			if ws.writeText(msg) != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/"
}

func TestWebSocketFramesPingAndClose(t *testing.T) {
	u := echoServer(t)
	c, status := rawHandshake(t, "", u, "dGhlIHNhbXBsZSBub25jZQ==")
	if status != 101 {
		t.Fatalf("handshake: %d", status)
	}
	defer c.Close()

	c.send(t, false, opText, []byte("hel"), true) // a fragmented message
	c.send(t, true, opPing, []byte("p1"), true)   // control frames may interleave
	c.send(t, true, opContinuation, []byte("lo"), true)
	if op, p := c.recv(t); op != opPong || string(p) != "p1" {
		t.Errorf("got op %d %q, want the pong first", op, p)
	}
	if op, p := c.recv(t); op != opText || string(p) != "hello" {
		t.Errorf("echo = op %d %q", op, p)
	}
	long := strings.Repeat("x", 300) // 16-bit length
	c.send(t, true, opText, []byte(long), true)
	if _, p := c.recv(t); string(p) != long {
		t.Errorf("long message came back with %d bytes", len(p))
	}
	c.send(t, true, opClose, binary.BigEndian.AppendUint16(nil, 1000), true)
	if op, p := c.recv(t); op != opClose || binary.BigEndian.Uint16(p) != 1000 {
		t.Errorf("close answer = op %d %v", op, p)
	}
}

func TestWebSocketRefusesUnmaskedFramesAndBadHandshakes(t *testing.T) {
	u := echoServer(t)
	c, _ := rawHandshake(t, "", u, "x3JJHMbDL1EzLkh9GBhXDw==")
	defer c.Close()
	c.send(t, true, opText, []byte("plain"), false)
	if op, p := c.recv(t); op != opClose || binary.BigEndian.Uint16(p) != closeProtocolError {
		t.Errorf("unmasked frame answered op %d %v, want close 1002", op, p)
	}

	httpURL := "http" + strings.TrimPrefix(u, "ws")
	req, _ := http.NewRequest(http.MethodGet, httpURL, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Key", "x3JJHMbDL1EzLkh9GBhXDw==")
	req.Header.Set("Sec-WebSocket-Version", "8")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUpgradeRequired || res.Header.Get("Sec-WebSocket-Version") != "13" {
		t.Errorf("old protocol version: %d", res.StatusCode)
	}
	res, err = http.Get(httpURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("plain GET: %d", res.StatusCode)
	}
}
