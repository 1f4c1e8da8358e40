package storage

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

func TestSubscriberCodecRoundTrip(t *testing.T) {
	cases := []herald.Subscriber{
		{Seq: 1, Platform: herald.LINE, ID: "U1", Kind: herald.KindUser},
		{Seq: 7, Platform: herald.Telegram, ID: "-100200", Kind: herald.KindGroup, Name: "家族群組 🎉",
			Locale: "zh-TW", Timezone: "Asia/Taipei", Tags: []string{"a", "vip"},
			Attributes: map[string]string{"plan": "gold", "since": "2024-01-02", "": ""},
			FirstSeen:  time.Date(1999, 1, 2, 3, 4, 5, 6, time.UTC), LastInteraction: time.Unix(-5, 7).UTC(),
			State: herald.Blocked, OperatorChat: true},
		{Seq: 1 << 31, Platform: "whatsapp", ID: "x", Kind: "bot", State: "frozen"},
	}
	for _, want := range cases {
		b := AppendSubscriber(nil, &want)
		var got herald.Subscriber
		if err := DecodeSubscriber(want.Seq, b, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		for n := range len(b) {
			if err := DecodeSubscriber(1, b[:n], &got); err == nil {
				t.Errorf("decoding %d of %d bytes of %s: no error", n, len(b), want.ID)
			}
		}
	}
}

func TestDeliveryCodecRoundTrip(t *testing.T) {
	cases := []herald.Delivery{
		{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, Outcome: herald.Pending},
		{Seq: 9, Recipient: herald.SubscriberKey{Platform: herald.Messenger, ID: "PSID"}, Outcome: herald.Failed,
			Reason: "blocked", MessageID: "m_1", Attempts: 3, At: time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC)},
		{Seq: 10, Recipient: herald.SubscriberKey{Platform: "x", ID: "y"}, Outcome: "weird"},
		{Seq: 11, Recipient: herald.SubscriberKey{Platform: herald.Telegram, ID: "42"}, Outcome: herald.Pending,
			NotBefore: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		{Seq: 12, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}, Outcome: herald.Failed,
			Reason: "line: 429 You have reached your monthly limit. (the first 1 of 3 parts were delivered)", PartsDone: 1},
	}
	for _, want := range cases {
		b := appendDelivery(nil, &want)
		var got herald.Delivery
		if err := decodeDelivery(want.Seq, b, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		if err := decodeDelivery(1, b[:len(b)-1], &got); err == nil {
			t.Errorf("truncated delivery %d decoded without error", want.Seq)
		}
	}
}

// Deliveries written before NotBefore existed (v1) still read back, and
// a v2 record (no PartsDone) reads as none done.
func TestDeliveryCodecReadsOlderVersions(t *testing.T) {
	v2 := appendDelivery(nil, &herald.Delivery{Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, Outcome: herald.Sent})
	for _, old := range [][]byte{
		append([]byte{deliveryV1}, v2[1:len(v2)-1]...), // v1 had no trailing NotBefore
		v2,
	} {
		got := herald.Delivery{PartsDone: 7}
		if err := decodeDelivery(5, old, &got); err != nil {
			t.Fatal(err)
		}
		if got.Recipient.ID != "U1" || got.Outcome != herald.Sent || !got.NotBefore.IsZero() || got.PartsDone != 0 {
			t.Errorf("v%d record read as %+v", old[0], got)
		}
	}
}

func TestRecordsAreCompact(t *testing.T) {
	s := crowd.Person(herald.Telegram, 123456, "vip", "tw")
	s.FirstSeen = time.Now()
	if n := len(AppendSubscriber(nil, &s)); n > 80 {
		t.Errorf("a typical subscriber takes %d bytes, want ≤ 80", n)
	}
	d := herald.Delivery{Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U4af4980629a1b2c3d4e5f60718293a4b"}, Outcome: herald.Pending}
	if n := len(appendDelivery(nil, &d)); n > 42 {
		t.Errorf("a pending LINE delivery takes %d bytes, want ≤ 42", n)
	}
}
