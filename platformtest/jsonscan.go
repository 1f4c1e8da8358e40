package platformtest

import (
	"encoding/json"
	"errors"
)

// jsonMembers (which uses skipSpace from server_json.go) calls each with the key and raw value of every member of the
// JSON object in b, without decoding the values: the fakes' hot path reads
// a handful of top-level fields and decoding them generically with
// encoding/json cost more than the rest of a send. Nested values are only
// delimited here; whoever uses one decodes (and so validates) it.
func jsonMembers(b []byte, each func(key string, raw []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return errBadJSON
		}
		end, err := stringEnd(b, i)
		if err != nil {
			return err
		}
		key := string(b[i+1 : end-1])
		if hasBackslash(b[i:end]) {
			if err := json.Unmarshal(b[i:end], &key); err != nil {
				return err
			}
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return errBadJSON
		}
		i = skipSpace(b, i+1)
		start := i
		if i, err = memberEnd(b, i); err != nil {
			return err
		}
		if err := each(key, b[start:i]); err != nil {
			return err
		}
		i = skipSpace(b, i)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return trailing(b, i+1)
		default:
			return errBadJSON
		}
	}
}

var (
	errNotObject = errors.New("platformtest: JSON body is not an object")
	errBadJSON   = errors.New("platformtest: malformed JSON")
)

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errBadJSON
	}
	return nil
}

func hasBackslash(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// stringEnd returns the index just past the string starting at b[i].
func stringEnd(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errBadJSON
}

// memberEnd returns the index just past the value starting at b[i].
func memberEnd(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errBadJSON
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := stringEnd(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errBadJSON
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i || !json.Valid(b[i:j]) {
		return 0, errBadJSON
	}
	return j, nil
}
