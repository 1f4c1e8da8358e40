package platformtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Hand-written encoding of the answer every send returns: reflection-based
// encoding/json took about 40% of a send's time in the fake, and the fakes
// must not be what limits a load test. telegram_json_test.go checks it
// against encoding/json.

// writeMessageOK answers {"ok":true,"result":<message>}.
func writeMessageOK(w http.ResponseWriter, m tgMessageJSON) {
	b := make([]byte, 0, 512)
	b = append(b, `{"ok":true,"result":`...)
	b = m.appendJSON(b)
	b = append(b, '}')
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (m tgMessageJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"message_id":`...)
	b = strconv.AppendInt(b, int64(m.MessageID), 10)
	b = append(b, `,"from":{"id":`...)
	b = strconv.AppendInt(b, m.From.ID, 10)
	b = append(b, `,"is_bot":`...)
	b = strconv.AppendBool(b, m.From.IsBot)
	b = appendField(b, "first_name", m.From.FirstName, false)
	b = appendField(b, "username", m.From.Username, true)
	b = append(b, `},"chat":{"id":`...)
	b = strconv.AppendInt(b, m.Chat.ID, 10)
	b = appendField(b, "type", m.Chat.Type, false)
	b = appendField(b, "title", m.Chat.Title, true)
	b = appendField(b, "username", m.Chat.Username, true)
	b = appendField(b, "first_name", m.Chat.FirstName, true)
	b = append(b, `},"date":`...)
	b = strconv.AppendInt(b, m.Date, 10)
	if m.EditDate != 0 {
		b = append(b, `,"edit_date":`...)
		b = strconv.AppendInt(b, m.EditDate, 10)
	}
	b = appendField(b, "media_group_id", m.MediaGroupID, true)
	b = appendField(b, "text", m.Text, true)
	b = appendField(b, "caption", m.Caption, true)
	if len(m.Photo) > 0 {
		raw, _ := json.Marshal(m.Photo)
		b = append(append(b, `,"photo":`...), raw...)
	}
	if m.Document != nil {
		raw, _ := json.Marshal(m.Document)
		b = append(append(b, `,"document":`...), raw...)
	}
	if len(m.ReplyMarkup) > 0 { // compact and valid: checkMarkup decoded it
		b = append(append(b, `,"reply_markup":`...), m.ReplyMarkup...)
	}
	return append(b, '}')
}

// appendField appends ,"key":"value" (nothing for an empty value when
// omitEmpty).
func appendField(b []byte, key, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

// appendJSONString appends s as a JSON string; only strings that need
// escaping go through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			if c >= utf8.RuneSelf && utf8.ValidString(s) && !needsEscape(s) {
				break
			}
			raw, _ := json.Marshal(s)
			return append(b, raw...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// needsEscape reports whether s holds a byte JSON must escape.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return true
		}
	}
	return false
}
