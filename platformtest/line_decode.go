package platformtest

import (
	"bytes"
	"encoding/json"
)

// decodeLINESend fills a push, multicast or broadcast request from body.
// The usual bodies (plain strings, the fields Herald sends) are read by a
// byte walk over the already-validated document, which costs a third of
// encoding/json's reflection; anything unusual falls back to
// json.Unmarshal, which then also produces the errors.
func decodeLINESend(body []byte, to *[]string, single *string, msgs *[]lineMessage) error {
	if json.Valid(body) && fastLINESend(body, to, single, msgs) {
		return nil
	}
	*msgs = nil
	switch {
	case to != nil:
		var req lineMulticastRequest
		err := json.Unmarshal(body, &req)
		*to, *msgs = req.To, req.Messages
		return err
	case single != nil:
		var req linePushRequest
		err := json.Unmarshal(body, &req)
		*single, *msgs = req.To, req.Messages
		return err
	default:
		var req lineBroadcastRequest
		err := json.Unmarshal(body, &req)
		*msgs = req.Messages
		return err
	}
}

func fastLINESend(body []byte, to *[]string, single *string, msgs *[]lineMessage) bool {
	return eachField(body, func(key string, v []byte) bool {
		switch {
		case key == "to" && single != nil:
			return fastString(v, single)
		case key == "to" && to != nil:
			*to = (*to)[:0]
			return eachItem(v, func(item []byte) bool {
				var s string
				ok := fastString(item, &s)
				*to = append(*to, s)
				return ok
			})
		case key == "messages":
			if v[0] == 'n' { // null
				return true
			}
			*msgs = make([]lineMessage, 0, 5)
			return eachItem(v, func(item []byte) bool {
				var m lineMessage
				ok := fastLINEMessage(item, &m)
				*msgs = append(*msgs, m)
				return ok
			})
		}
		return true // fields the fake does not check
	})
}

func fastLINEMessage(doc []byte, m *lineMessage) bool {
	return eachField(doc, func(key string, v []byte) bool {
		switch key {
		case "type":
			return fastString(v, &m.Type)
		case "text":
			return fastString(v, &m.Text)
		case "originalContentUrl":
			return fastString(v, &m.OriginalContentURL)
		case "previewImageUrl":
			return fastString(v, &m.PreviewImageURL)
		case "altText":
			return fastString(v, &m.AltText)
		case "packageId":
			return fastString(v, &m.PackageID)
		case "stickerId":
			return fastString(v, &m.StickerID)
		case "template", "contents":
			return false // rare on the hot path: let encoding/json read them
		}
		return true
	})
}

// eachField calls f with each key and raw value of the JSON object doc
// (valid JSON), stopping with false when f does; false too when doc is not
// an object or a key has escapes.
func eachField(doc []byte, f func(key string, v []byte) bool) bool {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return false
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		return true
	}
	for i < len(doc) && doc[i] == '"' {
		end, _ := skipValue(doc, i)
		key := doc[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		i = skipSpace(doc, skipSpace(doc, end)+1) // past ':'
		end, _ = skipValue(doc, i)
		if !f(string(key), doc[i:end]) {
			return false
		}
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == '}' {
			return true
		}
		i = skipSpace(doc, i+1) // past ','
	}
	return false
}

// eachItem calls f with each element of the JSON array doc (valid JSON).
func eachItem(doc []byte, f func(item []byte) bool) bool {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' {
		return false
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == ']' {
		return true
	}
	for i < len(doc) {
		end, _ := skipValue(doc, i)
		if !f(doc[i:end]) {
			return false
		}
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ']' {
			return true
		}
		i = skipSpace(doc, i+1)
	}
	return false
}

// fastString reads a JSON string without escapes; false otherwise.
func fastString(v []byte, s *string) bool {
	if len(v) < 2 || v[0] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return false
	}
	*s = string(v[1 : len(v)-1])
	return true
}
