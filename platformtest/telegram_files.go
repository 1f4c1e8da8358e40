package platformtest

import (
	"net/http"
	"path"
	"strconv"
	"strings"
)

// tgFile is a file the fake can hand out through getFile.
type tgFile struct {
	ID       string
	UniqueID string
	Token    string // the bot it belongs to; "" for every bot
	Name     string
	Path     string // file_path, relative to /file/bot<token>/
	Data     []byte
}

// AddFile makes a file known (as if a user had sent it to the bot with
// token, or to every bot when token is ""), so getFile and the download
// route serve it.
func (t *Telegram) AddFile(token, fileID, name string, data []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextFile++
	t.files[fileID] = &tgFile{ID: fileID, UniqueID: "u" + strconv.Itoa(t.nextFile), Token: token, Name: name,
		Path: "documents/file_" + strconv.Itoa(t.nextFile) + path.Ext(name), Data: data}
}

// newFile stores an uploaded or linked file under a fresh file_id.
func (t *Telegram) newFile(token, kind, name string, data []byte) *tgFile {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextFile++
	n := strconv.Itoa(t.nextFile)
	ext := path.Ext(name)
	if ext == "" && kind == "photo" {
		ext = ".jpg"
	}
	f := &tgFile{ID: "fake-" + kind + "-" + n, UniqueID: "u" + n, Token: token, Name: name,
		Path: kind + "s/file_" + n + ext, Data: data}
	t.files[f.ID] = f
	return f
}

// inputFile resolves an InputFile: an upload in the request (the field
// itself or attach://<name>), an HTTP URL, or a file_id this bot may use.
// ref identifies the content for duplicate detection.
func (t *Telegram) inputFile(c tgCall, value string, up upload, kind string) (f *tgFile, ref string, e *tgError) {
	if name, ok := strings.CutPrefix(value, "attach://"); ok {
		var found bool
		if up, found = c.p.files[name]; !found {
			return nil, "", tgBad("wrong file identifier/HTTP URL specified")
		}
	}
	switch {
	case up.data != nil:
		f = t.newFile(c.token, kind, up.name, up.data)
		return f, "upload:" + up.name + ":" + strconv.Itoa(len(up.data)), nil
	case value == "":
		return nil, "", tgBad("there is no " + kind + " in the request")
	case strings.HasPrefix(value, "http://") || strings.HasPrefix(value, "https://"):
		return t.newFile(c.token, kind, path.Base(value), nil), value, nil
	}
	t.mu.Lock()
	f = t.files[value]
	t.mu.Unlock()
	if f == nil || (f.Token != "" && f.Token != c.token) {
		return nil, "", tgBad("wrong file identifier/HTTP URL specified")
	}
	return f, value, nil
}

func (t *Telegram) getFile(c tgCall) (any, *tgError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.files[c.p.get("file_id")]
	if f == nil || (f.Token != "" && f.Token != c.token) {
		return nil, tgBad("invalid file_id")
	}
	return struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileSize     int    `json:"file_size"`
		FilePath     string `json:"file_path"`
	}{f.ID, f.UniqueID, len(f.Data), f.Path}, nil
}

// serveFile is the download route /file/bot<token>/<file_path>.
func (t *Telegram) serveFile(w http.ResponseWriter, r *http.Request, token, filePath string) {
	c := tgCall{token: token, method: "file"}
	if token == "" || !t.tokenAllowed(token) {
		t.fail(w, c, errTgNotFound)
		return
	}
	if e := t.fault(token); e != nil {
		t.fail(w, c, e)
		return
	}
	var data []byte
	found := false
	t.mu.Lock()
	for _, f := range t.files {
		if f.Path == filePath && (f.Token == "" || f.Token == token) {
			data, found = f.Data, true
			break
		}
	}
	t.mu.Unlock()
	if !found {
		t.fail(w, c, errTgNotFound)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(data))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
