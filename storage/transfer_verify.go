package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Target is what a copy writes into: an Importer that can say what it
// holds.
type Target interface {
	Exporter
	Importer
}

// ErrCountsDiffer says a copy's target does not hold what the source
// sent: the copy must not be used.
var ErrCountsDiffer = errors.New("storage: the target does not hold what the source has")

// Transfer copies every record of src into the empty dst (see CheckEmpty;
// where names dst in its error), then counts what dst holds and compares
// it, kind by kind, with what src sent. The lines say both counts of every
// kind; the error wraps ErrCountsDiffer when any differs.
func Transfer(ctx context.Context, src Exporter, dst Target, where string) ([]CountLine, error) {
	if err := CheckEmpty(ctx, dst, where); err != nil {
		return nil, err
	}
	sent, err := Copy(ctx, src, dst)
	if err != nil {
		return nil, err
	}
	held, err := CountRecords(ctx, dst)
	if err != nil {
		return nil, fmt.Errorf("storage: count what %s holds: %w", where, err)
	}
	lines, equal := CompareCounts(sent, held)
	if !equal {
		return lines, ErrCountsDiffer
	}
	return lines, nil
}

// CountLine is one line of a copy's verification.
type CountLine struct {
	Kind           string
	Source, Target int64
}

// CompareCounts lists every kind with the source's and the target's
// counts, and whether all are equal.
func CompareCounts(src, dst Counts) (lines []CountLine, equal bool) {
	equal = true
	for _, k := range Kinds() {
		l := CountLine{k.Name, src[k.Name], dst[k.Name]}
		equal = equal && l.Source == l.Target
		lines = append(lines, l)
	}
	for k, n := range dst { // a kind this build does not know would be lost
		if _, ok := src[k]; !ok && !KnownKind(k) {
			lines, equal = append(lines, CountLine{k, 0, n}), false
		}
	}
	for k, n := range src {
		if !KnownKind(k) {
			lines, equal = append(lines, CountLine{k, n, dst[k]}), equal && n == dst[k]
		}
	}
	return lines, equal
}

// KnownKind reports whether name is one of Kinds.
func KnownKind(name string) bool {
	for _, k := range Kinds() {
		if k.Name == name {
			return true
		}
	}
	return false
}

// NotEmptyError is a copy's target that holds records already: a copy
// never merges into (or overwrites) a store in use.
type NotEmptyError struct {
	Where  string
	Counts Counts
}

func (e *NotEmptyError) Error() string {
	var held []string
	for _, k := range Kinds() {
		if n := e.Counts[k.Name]; n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, k.Name))
		}
	}
	return fmt.Sprintf("storage: %s is not empty (it holds %s): the copy writes only into an empty store; "+
		"point -to at a configuration whose storage is a new bbolt file or an empty PostgreSQL database or schema",
		e.Where, strings.Join(held, ", "))
}

// CheckEmpty refuses a target that holds any record (a NotEmptyError);
// where names it in the error.
func CheckEmpty(ctx context.Context, target Exporter, where string) error {
	c, err := CountRecords(ctx, target)
	if err != nil {
		return err
	}
	if c.Total() > 0 {
		return &NotEmptyError{Where: where, Counts: c}
	}
	return nil
}
