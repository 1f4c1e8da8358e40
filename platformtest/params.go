package platformtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds what a fake reads from one request (Telegram's own upload
// limit is 50 MB; tests never need more than a few).
const maxBody = 50 << 20

// params are a request's arguments however they were sent: query string,
// JSON object, urlencoded form or multipart form. Non-string JSON values
// (objects, arrays, numbers) are kept as their JSON text, which is how the
// SDKs send them inside forms too (reply_markup, media, blocks).
type params struct {
	vals  map[string]string
	files map[string]upload
}

// upload is one file part of a multipart request.
type upload struct {
	name string
	data []byte
}

func (p params) get(k string) string { return p.vals[k] }

func (p params) has(k string) bool { _, ok := p.vals[k]; return ok }

// readParams parses r's query and body into params.
func readParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := params{vals: map[string]string{}, files: map[string]upload{}}
	if r.URL.RawQuery != "" {
		for k, v := range r.URL.Query() {
			p.vals[k] = v[0]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	body, err := readBody(w, r, maxBody) // from server_json.go
	if err != nil {
		return p, fmt.Errorf("platformtest: read body: %w", err)
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || string(t) == "null" { // go-telegram/bot sends an empty multipart body for no params
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		return p, p.addJSON(body)
	case "multipart/form-data":
		return p, p.addMultipart(body, ctParams["boundary"])
	}
	// urlencoded, or no content type at all
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return p, fmt.Errorf("platformtest: parse form: %w", err)
	}
	for k, v := range q {
		p.vals[k] = v[0]
	}
	return p, nil
}

func (p params) addJSON(body []byte) error {
	err := jsonMembers(body, func(key string, raw []byte) error {
		switch {
		case raw[0] != '"':
			if string(raw) != "null" {
				p.vals[key] = string(raw)
			}
		case bytes.IndexByte(raw, '\\') < 0:
			p.vals[key] = string(raw[1 : len(raw)-1])
		default:
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			p.vals[key] = s
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("platformtest: decode JSON body: %w", err)
	}
	return nil
}

func (p params) addMultipart(body []byte, boundary string) error {
	form, err := multipart.NewReader(bytes.NewReader(body), boundary).ReadForm(maxBody)
	if err != nil {
		return fmt.Errorf("platformtest: parse multipart: %w", err)
	}
	defer form.RemoveAll()
	for k, v := range form.Value {
		p.vals[k] = v[0]
	}
	for k, fhs := range form.File {
		f, err := fhs[0].Open()
		if err != nil {
			return fmt.Errorf("platformtest: open part %s: %w", k, err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("platformtest: read part %s: %w", k, err)
		}
		p.files[k] = upload{name: fhs[0].Filename, data: data}
	}
	return nil
}

// authBearer is the token of an "Authorization: Bearer" header, or "".
func authBearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
