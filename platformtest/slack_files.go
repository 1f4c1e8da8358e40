package platformtest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// SlackFile is a file uploaded by the bot or added by the test.
type SlackFile struct {
	ID       string
	Name     string
	Title    string
	Length   int // announced in files.getUploadURLExternal
	Data     []byte
	Uploaded bool   // its bytes arrived (or the test added it)
	Channel  string // where files.completeUploadExternal shared it
}

// privatePath is where url_private points, relative to the fake's mount.
func (f *SlackFile) privatePath() string {
	return "/files-pri/" + slackTeamID + "-" + f.ID + "/" + url.PathEscape(f.Name)
}

// AddFile stores a file as if a user had uploaded it to Slack and returns
// its url_private path relative to where the fake is served (prefix it with
// the server URL and any mount). Downloads need a bot token.
func (s *Slack) AddFile(id, name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &SlackFile{ID: id, Name: name, Title: name, Length: len(data), Data: data, Uploaded: true}
	s.files[id] = f
	return f.privatePath()
}

// File returns a file by ID.
func (s *Slack) File(id string) (SlackFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[id]; f != nil {
		return *f, true
	}
	return SlackFile{}, false
}

func (s *Slack) getUploadURL(c slackCall) (any, string) {
	name := c.p.get("filename")
	length, err := strconv.Atoi(c.p.get("length"))
	if name == "" || err != nil || length <= 0 {
		return nil, "invalid_arguments"
	}
	s.mu.Lock()
	f := &SlackFile{ID: s.newID("F"), Name: name, Title: name, Length: length}
	s.files[f.ID] = f
	s.mu.Unlock()
	return slackResult{"upload_url": publicBase(c.r) + "/upload/v1/" + f.ID, "file_id": f.ID}, ""
}

// serveUpload receives the bytes for an upload URL: a raw body or a
// multipart form with a "file" part. Slack answers plain text.
func (s *Slack) serveUpload(w http.ResponseWriter, r *http.Request, id string) {
	c := slackCall{token: authBearer(r), method: "upload"}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !s.fault(w, c) {
		return
	}
	var data []byte
	var err error
	if mr, mErr := r.MultipartReader(); mErr == nil {
		for {
			part, pErr := mr.NextPart()
			if pErr != nil {
				err = pErr
				break
			}
			if part.FormName() == "file" {
				data, err = io.ReadAll(io.LimitReader(part, maxBody))
				break
			}
		}
	} else {
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	}
	if err != nil && !errors.Is(err, io.EOF) {
		s.reject(c, http.StatusBadRequest, "upload: "+err.Error())
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f := s.files[id]
	if f != nil && !f.Uploaded {
		f.Data, f.Uploaded = data, true
	}
	s.mu.Unlock()
	if f == nil {
		s.reject(c, http.StatusNotFound, "upload: unknown file")
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

func (s *Slack) completeUpload(c slackCall) (any, string) {
	var want []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if json.Unmarshal([]byte(c.p.get("files")), &want) != nil || len(want) == 0 {
		return nil, "invalid_arguments"
	}
	ch := c.p.get("channel_id")
	if ch == "" {
		ch = strings.Split(c.p.get("channels"), ",")[0]
	}
	if ch != "" && s.Faults.Blocked(ch) {
		return nil, "channel_not_found"
	}
	ch = dmChannel(ch)
	var ids []string
	var summary []map[string]any
	s.mu.Lock()
	for _, w := range want {
		f := s.files[w.ID]
		if f == nil || !f.Uploaded {
			s.mu.Unlock()
			return nil, "file_not_found"
		}
		if w.Title != "" {
			f.Title = w.Title
		}
		f.Channel = ch
		ids = append(ids, f.ID)
		summary = append(summary, map[string]any{"id": f.ID, "title": f.Title})
	}
	s.mu.Unlock()
	if ch != "" {
		s.post(c, &SlackMessage{Channel: ch, ThreadTS: c.p.get("thread_ts"), Text: c.p.get("initial_comment"), Files: ids})
	}
	return slackResult{"files": summary}, ""
}

func (s *Slack) filesInfo(c slackCall) (any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[c.p.get("file")]
	if f == nil || !f.Uploaded {
		return nil, "file_not_found"
	}
	u := publicBase(c.r) + f.privatePath()
	return slackResult{"file": map[string]any{"id": f.ID, "name": f.Name, "title": f.Title,
		"mimetype": http.DetectContentType(f.Data), "size": len(f.Data),
		"url_private": u, "url_private_download": u}}, ""
}

// serveDownload serves url_private. Like files.slack.com, it sends a
// request without a valid bot token to the sign-in page instead.
func (s *Slack) serveDownload(w http.ResponseWriter, r *http.Request, rest string) {
	c := slackCall{token: authBearer(r), method: "download"}
	if s.checkToken(c.token, false) != "" {
		s.reject(c, http.StatusFound, "download without a valid token")
		http.Redirect(w, r, publicBase(r)+"/signin?redir="+url.QueryEscape(requestPath(r)), http.StatusFound)
		return
	}
	if !s.fault(w, c) {
		return
	}
	teamFile, _, _ := strings.Cut(rest, "/")
	id := strings.TrimPrefix(teamFile, slackTeamID+"-")
	s.mu.Lock()
	f := s.files[id]
	s.mu.Unlock()
	if f == nil || !f.Uploaded {
		s.reject(c, http.StatusNotFound, "download: unknown file")
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(f.Data))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}
