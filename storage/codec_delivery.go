package storage

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// Version bytes of the delivery format: v2 added NotBefore, v3 PartsDone,
// v4 the recipient's account. Records of every version are read; new ones
// are written as v2, or v3 when PartsDone is set (rare: a pending record
// stays a byte shorter), or v4 for a named account's recipient.
const (
	deliveryV1 = 1
	deliveryV2 = 2
	deliveryV3 = 3
	deliveryV4 = 4
)

var knownOutcomes = []string{string(herald.Pending), string(herald.Sent), string(herald.Failed),
	string(herald.Skipped), string(herald.Held)}

// appendDelivery encodes d (without Seq, which is the key) onto b.
func appendDelivery(b []byte, d *herald.Delivery) []byte {
	version := byte(deliveryV2)
	if d.PartsDone > 0 {
		version = deliveryV3
	}
	if d.Recipient.Account != "" {
		version = deliveryV4
	}
	e := encoder{b: append(b, version)}
	e.enum(string(d.Recipient.Platform), knownPlatforms)
	e.str(d.Recipient.ID)
	e.enum(string(d.Outcome), knownOutcomes)
	e.str(d.Reason)
	e.str(d.MessageID)
	e.uvarint(uint64(max(d.Attempts, 0)))
	e.time(d.At)
	e.time(d.NotBefore)
	if version >= deliveryV3 {
		e.uvarint(uint64(d.PartsDone))
	}
	if version >= deliveryV4 {
		e.str(d.Recipient.Account)
	}
	return e.b
}

// decodeDelivery overwrites d with the record b stored under seq.
func decodeDelivery(seq uint32, b []byte, d *herald.Delivery) error {
	if len(b) == 0 || b[0] < deliveryV1 || b[0] > deliveryV4 {
		return fmt.Errorf("delivery %d: unknown record version", seq)
	}
	r := newDecoder(b[1:])
	d.Seq = seq
	d.Recipient.Platform = herald.Platform(r.enum(knownPlatforms))
	d.Recipient.ID = r.str()
	d.Outcome = herald.Outcome(r.enum(knownOutcomes))
	d.Reason = r.str()
	d.MessageID = r.str()
	d.Attempts = int(r.uvarint())
	d.At = r.time()
	d.NotBefore = time.Time{}
	if b[0] >= deliveryV2 {
		d.NotBefore = r.time()
	}
	d.PartsDone = 0
	if b[0] >= deliveryV3 {
		d.PartsDone = int(r.uvarint())
	}
	d.Recipient.Account = ""
	if b[0] >= deliveryV4 {
		d.Recipient.Account = r.str()
	}
	if r.err != nil {
		return fmt.Errorf("delivery %d: %w", seq, r.err)
	}
	return nil
}
