package platformtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// writeJSONStatus writes v as the JSON body with status.
func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, status, b)
}

// writeJSONBytes writes b, already JSON, as the body with status.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header() // canonical keys assigned directly: this runs on every answer
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// readBody reads a request body of at most limit bytes, sized up front
// from Content-Length when the client sent one.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	if n := r.ContentLength; n > 0 && n <= limit {
		b := make([]byte, n)
		if _, err := io.ReadFull(body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	return io.ReadAll(body)
}

// compactField is the compact JSON of the top-level field key of a send
// body json.Unmarshal has already accepted (LINE's messages, Messenger's
// message): the Content of its deliveries. canonicalField finds it fast;
// a key written with escapes is left to encoding/json.
func compactField(doc []byte, key string) string {
	if s, ok := canonicalField(doc, key); ok {
		return s
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(doc, &fields) // valid: it decoded before
	var buf bytes.Buffer
	_ = json.Compact(&buf, fields[key])
	return buf.String()
}

// canonicalField returns the compact JSON text of the top-level field key
// of the object doc, which json.Unmarshal has already accepted. It spares
// the send endpoints a second decoding pass: a byte loop finds the value,
// and json.Compact runs only when the value holds whitespace. ok is false
// when the field is absent or its key is written with escapes.
func canonicalField(doc []byte, key string) (string, bool) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return "", false
	}
	i++
	for {
		i = skipSpace(doc, i)
		if i >= len(doc) || doc[i] != '"' {
			return "", false
		}
		end, _ := skipValue(doc, i)
		name := doc[i+1 : end-1]
		i = skipSpace(doc, end)
		i = skipSpace(doc, i+1) // past ':'
		end, spaced := skipValue(doc, i)
		if string(name) == key {
			if !spaced {
				return string(doc[i:end]), true
			}
			var buf bytes.Buffer
			_ = json.Compact(&buf, doc[i:end]) // valid: the document decoded
			return buf.String(), true
		}
		i = skipSpace(doc, end)
		if i >= len(doc) || doc[i] != ',' {
			return "", false
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value starting at i, and
// whether whitespace occurs in it outside strings.
func skipValue(b []byte, i int) (end int, spaced bool) {
	depth := 0
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1, spaced
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, spaced
			}
			if depth < 0 { // a scalar ended by its container
				return i, spaced
			}
		case ',', ':':
			if depth == 0 {
				return i, spaced
			}
		case ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i, spaced
			}
			spaced = true
		}
	}
	return i, spaced
}
