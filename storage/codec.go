package storage

import (
	"encoding/binary"
	"errors"
	"time"
)

// The binary record format shared by subscribers and deliveries: a version
// byte, then fields in a fixed order as uvarints, length-prefixed strings,
// small enum codes for the few well-known strings (platforms, states,
// outcomes) and times as zigzag Unix nanoseconds (0 = zero time). Adding a
// field means a new version byte and a decoder branch for the old one.

// errShortRecord reports a truncated or garbled binary record.
var errShortRecord = errors.New("truncated record")

type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// enum writes s as its 1-based position in known, or 0 and s itself.
func (e *encoder) enum(s string, known []string) {
	for i, k := range known {
		if k == s {
			e.uvarint(uint64(i + 1))
			return
		}
	}
	e.uvarint(0)
	e.str(s)
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.uvarint(0)
		return
	}
	ns := t.UnixNano()
	e.uvarint((uint64(ns)<<1 ^ uint64(ns>>63)) + 1)
}

// decoder reads a record. All strings of one record are substrings of a
// single copy of it (one allocation instead of one per field); what is
// kept from a decoded record keeps that small copy alive.
type decoder struct {
	s   string
	off int
	err error
}

func newDecoder(b []byte) decoder { return decoder{s: string(b)} }

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for i := d.off; i < len(d.s); i++ {
		c := d.s[i]
		if shift == 63 && c > 1 {
			break
		}
		if c < 0x80 {
			d.off = i + 1
			return v | uint64(c)<<shift
		}
		v |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.err = errShortRecord
	return 0
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.s)-d.off) {
		d.err = errShortRecord
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *decoder) enum(known []string) string {
	i := d.uvarint()
	switch {
	case d.err != nil:
		return ""
	case i == 0:
		return d.str()
	case i <= uint64(len(known)):
		return known[i-1]
	}
	d.err = errShortRecord
	return ""
}

func (d *decoder) time() time.Time {
	v := d.uvarint()
	if v == 0 || d.err != nil {
		return time.Time{}
	}
	v--
	ns := int64(v>>1) ^ -int64(v&1)
	return time.Unix(0, ns).UTC()
}
