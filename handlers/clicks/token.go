// Package clicks counts visits of a broadcast's links. A URL button, and
// a link in the text, goes out as PublicBaseURL/r/{token}: the token is an
// opaque, signed (broadcast, recipient, link number) triple, and the
// redirect answers with a 302 to the link's target as stored in the
// broadcast, never one read from the token, so a forged link cannot make
// Herald an open redirect.
package clicks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
)

// Token layout, before base64url: a version byte, the broadcast ID's
// length and bytes, the recipient's Seq (a number, no name or platform
// ID) as a uvarint, the button's index, then the first macSize bytes of
// HMAC-SHA256 over all of that: about 30 characters.
const (
	tokenVersion = 1
	macSize      = 10
)

// errBadToken is any token that does not decode or whose MAC is wrong.
var errBadToken = errors.New("clicks: bad token")

// link is what a token says.
type link struct {
	broadcastID string
	seq         uint32
	button      int
}

// Signer makes and checks tokens with the bot's secret.
type Signer struct{ key []byte }

// NewSigner returns a Signer with the secret storage keeps
// (storage.Store.ClickSecret).
func NewSigner(secret []byte) *Signer { return &Signer{key: secret} }

// token encodes and signs l.
func (s *Signer) token(l link) string {
	b := make([]byte, 0, 2+len(l.broadcastID)+binary.MaxVarintLen32+1+macSize)
	b = append(b, tokenVersion, byte(len(l.broadcastID)))
	b = append(b, l.broadcastID...)
	b = binary.AppendUvarint(b, uint64(l.seq))
	b = append(b, byte(l.button))
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parse verifies a token (in constant time) and decodes it.
func (s *Signer) parse(tok string) (link, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 2+macSize+2 {
		return link{}, errBadToken
	}
	body, sum := b[:len(b)-macSize], b[len(b)-macSize:]
	if !hmac.Equal(sum, s.mac(body)) {
		return link{}, errBadToken
	}
	if body[0] != tokenVersion || int(body[1]) > len(body)-4 {
		return link{}, errBadToken
	}
	n := int(body[1])
	l := link{broadcastID: string(body[2 : 2+n])}
	seq, k := binary.Uvarint(body[2+n:])
	if k <= 0 || seq > 1<<32-1 || 2+n+k != len(body)-1 {
		return link{}, errBadToken
	}
	l.seq, l.button = uint32(seq), int(body[len(body)-1])
	return l, nil
}

func (s *Signer) mac(b []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	return m.Sum(nil)[:macSize]
}
