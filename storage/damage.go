package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// A damaged file (a disk that lied, a copy cut short, flipped bits) must
// never crash the bot: bbolt trusts its file and panics on a bad page, and
// reading a page past the end of a shortened file, or at an address a bad
// page points to, faults. So every read of the file happens where a panic
// or fault becomes a DamagedError (see guard), and Open checks the meta
// and freelist pages by plain reads before bbolt maps the file.

// DamagedError says the database file is damaged. It exists so that every
// caller answers the same way (name the file, say "damaged", point to the
// backup), and so that what reaches an operator never carries record data:
// Reason is one of a few fixed phrases; the details stay in Err.
type DamagedError struct {
	Path   string
	Reason string
	Err    error // what bbolt or the decoder said; may quote record bytes
}

func (e *DamagedError) Error() string {
	return "storage: " + e.Path + " is damaged (" + e.Reason + ")"
}

// Unwrap lets errors.Is(err, ErrCorrupt) hold for every damaged file.
func (e *DamagedError) Unwrap() []error { return []error{ErrCorrupt, e.Err} }

// Reasons a file is damaged; fixed words, never data from the file.
const (
	reasonEmpty      = "the file is empty"
	reasonShort      = "the file is cut short"
	reasonMeta       = "no valid header page"
	reasonFreelist   = "bad free-page list"
	reasonPage       = "a page cannot be read"
	reasonTree       = "the page tree is broken"
	reasonRecord     = "a record cannot be decoded"
	reasonNoSchema   = "Herald's buckets without a schema version"
	reasonEmptyAfter = "written to before, but holds nothing"
)

func damaged(path, reason string, err error) *DamagedError {
	if err == nil {
		err = errors.New(reason)
	}
	return &DamagedError{Path: path, Reason: reason, Err: err}
}

// recordDamage turns a stored record that does not decode into a
// DamagedError: storage reads back only what it wrote itself, so a JSON or
// binary record that fails to decode was damaged on disk.
func recordDamage(path string, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var pe *time.ParseError // a time.Time field's own UnmarshalJSON
	var de *DamagedError
	switch {
	case err == nil, errors.As(err, &de):
		return err
	case errors.As(err, &se), errors.As(err, &te), errors.As(err, &pe), errors.Is(err, errShortRecord):
		return damaged(path, reasonRecord, err)
	}
	return err
}

// guard runs fn so that a fault on a mapped page is a panic (Go only does
// that per goroutine, so every goroutine reading the file goes through
// here) and a panic that comes from bbolt or from such a fault is a
// DamagedError. A panic of our own code stays a panic: it is a bug, and
// calling it damage would send the operator to restore a sound file.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if !fromDamage(r) {
			panic(r)
		}
		err = damaged(path, reasonPage, fmt.Errorf("panic: %v", r))
	}()
	return fn()
}

// fromDamage says whether the panic r being recovered was raised by bbolt
// or by a fault on a non-nil address (a mapped page). It is called from a
// deferred function while panicking, so the panicking frames are still on
// the stack: the first frame below runtime.gopanic that is not the
// runtime's own is where the panic happened. (Frames further down do not
// count: our own closures run inside bbolt's View and Update.)
func fromDamage(r any) bool {
	if f, ok := r.(interface{ Addr() uintptr }); ok && f.Addr() >= 1<<16 {
		return true
	}
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	panicking := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			return strings.HasPrefix(f.Function, "go.etcd.io/bbolt")
		}
		if !more {
			return false
		}
	}
}

// bbolt's on-disk constants (go.etcd.io/bbolt/internal/common).
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16
	metaSize         = 64
	flagFreelist     = 0x10
	pgidNoFreelist   = ^uint64(0)
	maxSaneFreeCount = 1 << 40
)

// boltMeta is the part of a bbolt meta page that says where things are.
type boltMeta struct {
	pageSize           uint32
	root, freelist, hw uint64 // hw: the high-water mark, pages in use
	txid               uint64
}

// readMeta reads the meta page at off, reporting false when it is not a
// valid one (wrong magic or version, bad checksum, or cut off).
func readMeta(f *os.File, off int64) (boltMeta, bool) {
	b := make([]byte, metaSize)
	if _, err := f.ReadAt(b, off+pageHeaderSize); err != nil {
		return boltMeta{}, false
	}
	le := binary.LittleEndian
	h := fnv.New64a()
	_, _ = h.Write(b[:56])
	if le.Uint32(b[0:]) != boltMagic || le.Uint32(b[4:]) != boltVersion || h.Sum64() != le.Uint64(b[56:]) {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: le.Uint32(b[8:]), root: le.Uint64(b[16:]), freelist: le.Uint64(b[32:]),
		hw: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}, true
}

// precheck reads an existing file's meta and freelist pages with plain
// reads, as bbolt will choose them, and refuses what bbolt would map past
// the file's end or panic on: an empty file, a file shorter than its
// pages, a free-page list that is not one, a page tree with a loop or a
// page outside the file (walkPages). A missing file passes (Open creates
// it). bbolt reports headers that are wrong in every copy itself.
func precheck(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	size := st.Size()
	if size == 0 {
		return damaged(path, reasonEmpty, nil)
	}
	m0, ok0 := readMeta(f, 0)
	ps := int64(os.Getpagesize())
	if ok0 {
		ps = int64(m0.pageSize)
	}
	m1, ok1 := readMeta(f, ps)
	m, ok := m0, ok0
	if ok1 && (!ok0 || m1.txid > m0.txid) {
		m, ok = m1, true
	}
	switch {
	case !ok && size < 2*ps:
		return damaged(path, reasonShort, nil)
	case !ok:
		return damaged(path, reasonMeta, nil)
	case m.pageSize < 512 || m.pageSize&(m.pageSize-1) != 0 || m.hw < 4 || m.root < 2 || m.root >= m.hw:
		return damaged(path, reasonMeta, nil)
	case int64(m.hw) > size/int64(m.pageSize):
		return damaged(path, reasonShort, nil)
	}
	if err := checkFreelistPage(f, path, m); err != nil {
		return err
	}
	if err := walkPages(f, m); err != nil {
		return damaged(path, reasonTree, err)
	}
	return nil
}

// checkFreelistPage checks that the meta's freelist page is one and that
// its list of page ids fits in the pages it spans.
func checkFreelistPage(f *os.File, path string, m boltMeta) error {
	if m.freelist == pgidNoFreelist {
		return nil
	}
	if m.freelist < 2 || m.freelist >= m.hw {
		return damaged(path, reasonFreelist, nil)
	}
	off := int64(m.freelist) * int64(m.pageSize)
	h := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(h, off); err != nil && !errors.Is(err, io.EOF) {
		return damaged(path, reasonFreelist, err)
	}
	le := binary.LittleEndian
	flags, count, overflow := le.Uint16(h[8:]), uint64(le.Uint16(h[10:])), uint64(le.Uint32(h[12:]))
	if count == 0xFFFF {
		count = le.Uint64(h[16:]) + 1 // the real count, stored as the first element
	}
	span := (overflow + 1) * uint64(m.pageSize)
	if le.Uint64(h[0:]) != m.freelist || flags != flagFreelist || m.freelist+overflow >= m.hw ||
		count > maxSaneFreeCount || pageHeaderSize+count*8 > span {
		return damaged(path, reasonFreelist, nil)
	}
	return nil
}
