package main

// The raw ceiling's requests and the HTTP client of `herald bench dispatch`.

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strconv"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

func benchRawRequest(base string, p herald.Platform, i int) (string, string, map[string]string) {
	switch p {
	case herald.Telegram: // a multipart form, as the SDK sends
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("chat_id", strconv.Itoa(9_000_000+i))
		_ = mw.WriteField("text", "raw")
		_ = mw.Close()
		return base + "/telegram/bot" + benchTelegramToken + "/sendMessage", b.String(),
			map[string]string{"Content-Type": mw.FormDataContentType()}
	case herald.LINE:
		return base + "/line/v2/bot/message/push",
			`{"to":"Uraw` + strconv.Itoa(i) + `","messages":[{"type":"text","text":"raw"}]}`,
			map[string]string{"Authorization": "Bearer " + benchLINEToken}
	}
	return base + "/messenger/v21.0/me/messages",
		`{"recipient":{"id":"psid0"},"messaging_type":"UPDATE","message":{"text":"raw"},"access_token":"` + benchPageToken + `"}`, nil
}

// benchClient is the client the senders get in production, for the raw
// loop and the dispatcher alike, with room for more workers if asked.
func benchClient(workers int) *http.Client {
	c := dispatch.NewHTTPClient()
	t := c.Transport.(*http.Transport)
	t.MaxIdleConns, t.MaxIdleConnsPerHost = max(t.MaxIdleConns, 4*workers), max(t.MaxIdleConnsPerHost, 2*workers)
	return c
}
