package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// bbolt follows page ids as the file gives them: a damaged branch or
// bucket header that points back to a page above it sends its cursors
// round in a circle for ever, and one that points past the file faults.
// walkPages reads the whole page tree with plain file reads first and
// refuses such a file: every page it reaches must be in the file, be of
// the kind its parent says, hold elements that fit in it, and be reached
// once.

// bbolt's page layout (go.etcd.io/bbolt/internal/common).
const (
	flagBranch     = 0x01
	flagLeaf       = 0x02
	flagBucketElem = 0x01 // a leaf element that is a nested bucket
	elemSize       = 16   // both branch and leaf elements
	bucketHeader   = 16   // root pgid + sequence
	maxTreeDepth   = 64
)

// pageWalker reads pages of one file for walkPages.
type pageWalker struct {
	f    *os.File
	m    boltMeta
	seen []uint64 // a bit per page id below the high-water mark
	buf  []byte
}

// walkPages checks the tree of pages below the meta m of the open file f.
func walkPages(f *os.File, m boltMeta) error {
	w := &pageWalker{f: f, m: m, seen: make([]uint64, m.hw/64+1)}
	return w.tree(m.root, 0)
}

// tree checks the page id and everything below it.
func (w *pageWalker) tree(id uint64, depth int) error {
	if depth > maxTreeDepth {
		return errors.New("tree too deep")
	}
	p, err := w.read(id)
	if err != nil {
		return err
	}
	return w.node(p, id, depth)
}

// read reads page id with its overflow pages, marking them seen.
func (w *pageWalker) read(id uint64) ([]byte, error) {
	ps := int64(w.m.pageSize)
	if id < 2 || id >= w.m.hw {
		return nil, fmt.Errorf("page %d is outside the file's %d pages", id, w.m.hw)
	}
	h := make([]byte, pageHeaderSize)
	if _, err := w.f.ReadAt(h, int64(id)*ps); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	overflow := uint64(binary.LittleEndian.Uint32(h[12:]))
	if binary.LittleEndian.Uint64(h) != id || id+overflow >= w.m.hw {
		return nil, fmt.Errorf("page %d: bad header", id)
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i/64]&(1<<(i%64)) != 0 {
			return nil, fmt.Errorf("page %d is reached twice", i)
		}
		w.seen[i/64] |= 1 << (i % 64)
	}
	n := int((overflow + 1) * uint64(ps))
	if cap(w.buf) < n {
		w.buf = make([]byte, n)
	}
	p := w.buf[:n]
	if _, err := w.f.ReadAt(p, int64(id)*ps); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return p, nil
}

// node checks the branch or leaf page p (a page of the file, or a bucket
// stored inline in its parent's value) and what it points to.
func (w *pageWalker) node(p []byte, id uint64, depth int) error {
	if len(p) < pageHeaderSize {
		return fmt.Errorf("page %d: cut short", id)
	}
	le := binary.LittleEndian
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if pageHeaderSize+count*elemSize > len(p) {
		return fmt.Errorf("page %d: %d elements do not fit", id, count)
	}
	switch {
	case flags != flagBranch && flags != flagLeaf:
		// bbolt's cursors take any page that is not a leaf for a branch.
		return fmt.Errorf("page %d: not a branch or leaf page", id)
	case flags == flagBranch && count == 0:
		// bbolt never writes one, and its cursors read element 0 anyway.
		return fmt.Errorf("page %d: a branch page without elements", id)
	}
	var children []uint64
	var inline [][]byte
	for i := range count {
		e := pageHeaderSize + i*elemSize
		pos, ksize := int(le.Uint32(p[e+4:])), int(le.Uint32(p[e+8:]))
		switch flags {
		case flagBranch:
			pos, ksize = int(le.Uint32(p[e:])), int(le.Uint32(p[e+4:]))
			if e+pos+ksize > len(p) {
				return fmt.Errorf("page %d: element %d does not fit", id, i)
			}
			children = append(children, le.Uint64(p[e+8:]))
		case flagLeaf:
			vsize := int(le.Uint32(p[e+12:]))
			end := e + pos + ksize + vsize
			if end > len(p) || end < e {
				return fmt.Errorf("page %d: element %d does not fit", id, i)
			}
			if le.Uint32(p[e:])&flagBucketElem == 0 {
				continue
			}
			v := p[e+pos+ksize : end]
			if len(v) < bucketHeader {
				return fmt.Errorf("page %d: element %d: bad bucket header", id, i)
			}
			if root := le.Uint64(v); root != 0 {
				children = append(children, root)
			} else {
				inline = append(inline, bytes.Clone(v[bucketHeader:]))
			}
		}
	}
	// p is w.buf, which reading the next page overwrites: what it points
	// to was collected (and inline buckets copied) above.
	for _, v := range inline {
		if err := w.node(v, id, depth+1); err != nil {
			return err
		}
	}
	for _, c := range children {
		if err := w.tree(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}
