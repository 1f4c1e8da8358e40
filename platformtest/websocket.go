package platformtest

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// A minimal RFC 6455 server side: enough for Slack Socket Mode clients
// (text frames, fragmentation, ping/pong, close), no extensions or
// subprotocols. Written here because the fakes use the standard library only.

const (
	wsGUID          = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
	wsMaxMessage    = 1 << 20
	wsWriteDeadline = 10 * time.Second

	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA

	closeNormal        = 1000
	closeProtocolError = 1002
	closeTooBig        = 1009
)

// errWSClosed is returned by readMessage once the peer closed the socket.
var errWSClosed = errors.New("platformtest: websocket closed")

// wsConn is one accepted websocket connection. Writes are serialised; reads
// belong to one goroutine.
type wsConn struct {
	conn net.Conn
	br   *bufio.Reader
	wmu  sync.Mutex
	once sync.Once
}

// headerHasToken reports whether a comma-separated header contains token.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

// acceptWebSocket performs the opening handshake. On failure it has already
// answered the request with an HTTP error.
func acceptWebSocket(w http.ResponseWriter, r *http.Request) (*wsConn, error) {
	key := r.Header.Get("Sec-WebSocket-Key")
	switch {
	case r.Method != http.MethodGet:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, errors.New("platformtest: websocket handshake: not a GET")
	case !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket"):
		http.Error(w, "websocket upgrade required", http.StatusBadRequest)
		return nil, errors.New("platformtest: websocket handshake: no upgrade")
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "unsupported websocket version", http.StatusUpgradeRequired)
		return nil, errors.New("platformtest: websocket handshake: bad version")
	case key == "":
		http.Error(w, "missing Sec-WebSocket-Key", http.StatusBadRequest)
		return nil, errors.New("platformtest: websocket handshake: no key")
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot upgrade", http.StatusInternalServerError)
		return nil, errors.New("platformtest: websocket handshake: response cannot be hijacked")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, fmt.Errorf("platformtest: websocket hijack: %w", err)
	}
	sum := sha1.Sum([]byte(key + wsGUID))
	resp := "HTTP/1.1 101 Switching Protocols\r\n" +
		"Upgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	_ = conn.SetWriteDeadline(time.Now().Add(wsWriteDeadline))
	if _, err := io.WriteString(conn, resp); err != nil {
		conn.Close()
		return nil, fmt.Errorf("platformtest: websocket handshake: %w", err)
	}
	_ = conn.SetDeadline(time.Time{})
	return &wsConn{conn: conn, br: brw.Reader}, nil
}

// writeFrame sends one unmasked, unfragmented frame (servers never mask).
func (c *wsConn) writeFrame(op byte, payload []byte) error {
	hdr := make([]byte, 2, 10)
	hdr[0] = 0x80 | op
	switch n := len(payload); {
	case n < 126:
		hdr[1] = byte(n)
	case n <= 0xFFFF:
		hdr[1] = 126
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		hdr[1] = 127
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(wsWriteDeadline))
	if _, err := c.conn.Write(append(hdr, payload...)); err != nil {
		return fmt.Errorf("platformtest: websocket write: %w", err)
	}
	return nil
}

// writeText sends one text message.
func (c *wsConn) writeText(p []byte) error { return c.writeFrame(opText, p) }

// ping sends a ping; Slack pings its clients and they expect it.
func (c *wsConn) ping(p []byte) error { return c.writeFrame(opPing, p) }

// close sends a close frame with code and reason, then drops the connection.
func (c *wsConn) close(code uint16, reason string) {
	c.once.Do(func() {
		p := binary.BigEndian.AppendUint16(nil, code)
		_ = c.writeFrame(opClose, append(p, reason...))
		c.conn.Close()
	})
}

// readFrame reads one frame and unmasks it. Client frames must be masked.
func (c *wsConn) readFrame() (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(c.br, h[:]); err != nil {
		return false, 0, nil, err
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0F
	if h[0]&0x70 != 0 {
		return false, 0, nil, errProtocol("reserved bits set without an extension")
	}
	if h[1]&0x80 == 0 {
		return false, 0, nil, errProtocol("client frame not masked")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(c.br, b[:]); err != nil {
			return false, 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(c.br, b[:]); err != nil {
			return false, 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if op >= opClose && (n > 125 || !fin) {
		return false, 0, nil, errProtocol("bad control frame")
	}
	if n > wsMaxMessage {
		return false, 0, nil, errTooBig
	}
	var mask [4]byte
	if _, err = io.ReadFull(c.br, mask[:]); err != nil {
		return false, 0, nil, err
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(c.br, payload); err != nil {
		return false, 0, nil, err
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return fin, op, payload, nil
}

type wsProtocolError string

func (e wsProtocolError) Error() string {
	return "platformtest: websocket protocol error: " + string(e)
}

func errProtocol(s string) error { return wsProtocolError(s) }

var errTooBig = errors.New("platformtest: websocket message too big")

// readMessage returns the next data message, answering pings and closes on
// the way. It returns errWSClosed after a close handshake.
func (c *wsConn) readMessage() ([]byte, error) {
	var msg []byte
	inMessage := false
	for {
		fin, op, p, err := c.readFrame()
		if err != nil {
			var pe wsProtocolError
			switch {
			case errors.As(err, &pe):
				c.close(closeProtocolError, "protocol error")
			case errors.Is(err, errTooBig):
				c.close(closeTooBig, "message too big")
			default:
				c.conn.Close()
			}
			return nil, err
		}
		switch op {
		case opPing:
			if err := c.writeFrame(opPong, p); err != nil {
				return nil, err
			}
		case opPong:
		case opClose:
			code := uint16(closeNormal)
			if len(p) >= 2 {
				code = binary.BigEndian.Uint16(p)
			}
			c.close(code, "")
			return nil, errWSClosed
		case opText, opBinary, opContinuation:
			if (op == opContinuation) != inMessage {
				c.close(closeProtocolError, "unexpected continuation")
				return nil, errProtocol("unexpected continuation")
			}
			msg = append(msg, p...)
			if len(msg) > wsMaxMessage {
				c.close(closeTooBig, "message too big")
				return nil, errTooBig
			}
			inMessage = !fin
			if fin {
				return msg, nil
			}
		default:
			c.close(closeProtocolError, "unknown opcode")
			return nil, errProtocol("unknown opcode")
		}
	}
}
