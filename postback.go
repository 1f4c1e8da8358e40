package herald

import (
	"strings"
	"time"
)

// Postback payloads tie a tap on a broadcast's action button back to the
// broadcast and the button. Every platform carries them opaquely (Telegram
// callback_data, LINE postback data, Messenger postback payload); Telegram's
// 64-byte cap is the tightest, so the format is short: "hb1:B-7K2Q:b1".
const (
	postbackPrefix = "hb1:"
	// MaxPostbackLen is Telegram's callback_data limit, the smallest of the
	// platforms'.
	MaxPostbackLen = 64
	// MaxButtonIDLen bounds a button ID so any broadcast ID still fits.
	MaxButtonIDLen = 32
)

// ValidButtonID reports whether id can travel in a postback: 1–32 ASCII
// letters, digits, '-' or '_'.
func ValidButtonID(id string) bool {
	if id == "" || len(id) > MaxButtonIDLen {
		return false
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// EncodePostback returns the payload senders attach to an action button.
// It is "" when the button ID cannot travel (see ValidButtonID).
func EncodePostback(broadcastID, buttonID string) string {
	if NormalizeBroadcastID(broadcastID) != broadcastID || !ValidButtonID(buttonID) {
		return ""
	}
	return postbackPrefix + broadcastID + ":" + buttonID
}

// DecodePostback reads a payload made by EncodePostback. ok is false for
// anything else (another bot's payload, a Get Started button, tampering).
func DecodePostback(data string) (broadcastID, buttonID string, ok bool) {
	rest, found := strings.CutPrefix(data, postbackPrefix)
	if !found || len(data) > MaxPostbackLen {
		return "", "", false
	}
	broadcastID, buttonID, found = strings.Cut(rest, ":")
	if !found || NormalizeBroadcastID(broadcastID) != broadcastID || !ValidButtonID(buttonID) {
		return "", "", false
	}
	return broadcastID, buttonID, true
}

// Tap is one press of a broadcast's action button by a subscriber.
type Tap struct {
	BroadcastID string
	ButtonID    string
	Subscriber  SubscriberKey
	At          time.Time
}

// TapCount is the click-through of one button: every press, and the number
// of different subscribers who pressed it.
type TapCount struct {
	ButtonID string
	Taps     int
	Unique   int
}

// Click is one visit of a broadcast's tracked link: the subscriber is the
// recipient's number (Seq) carried by the link's signed token.
type Click struct {
	BroadcastID string
	ButtonID    string
	Seq         uint32
	At          time.Time
}
