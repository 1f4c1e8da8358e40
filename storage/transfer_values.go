package storage

import (
	"fmt"
	"math"
	"time"
)

// RecordValues reads a record's values by position, remembering the first
// that is missing or of the wrong type (a stream from another build).
type RecordValues struct {
	r   Record
	err error
}

// Values reads r's values.
func Values(r Record) *RecordValues { return &RecordValues{r: r} }

// Err is the first value that could not be read.
func (v *RecordValues) Err() error { return v.err }

func (v *RecordValues) at(i int) any {
	if i >= len(v.r.Values) {
		v.fail(i, "missing")
		return nil
	}
	return v.r.Values[i]
}

func (v *RecordValues) fail(i int, what string) {
	if v.err == nil {
		v.err = fmt.Errorf("value %d of a %s record: %s", i+1, v.r.Kind, what)
	}
}

// Str is value i as text.
func (v *RecordValues) Str(i int) string {
	switch x := v.at(i).(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	v.fail(i, "not text")
	return ""
}

// I64 is value i as an integer.
func (v *RecordValues) I64(i int) int64 {
	switch x := v.at(i).(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	v.fail(i, "not a number")
	return 0
}

// Bytes is value i as bytes.
func (v *RecordValues) Bytes(i int) []byte {
	switch x := v.at(i).(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	v.fail(i, "not bytes")
	return nil
}

// Time is value i as a time, the zero time for none.
func (v *RecordValues) Time(i int) time.Time {
	switch x := v.at(i).(type) {
	case time.Time:
		return x.UTC()
	case nil:
		return time.Time{}
	}
	v.fail(i, "not a time")
	return time.Time{}
}

// Seq is value i as a subscriber number.
func (v *RecordValues) Seq(i int) uint32 {
	n := v.I64(i)
	if n <= 0 || n > math.MaxUint32 {
		v.fail(i, "not a subscriber number")
		return 0
	}
	return uint32(n)
}
