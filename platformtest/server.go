package platformtest

import (
	"net/http"
	"strings"
	"time"
)

// Server runs all four fakes behind one handler sharing one Recorder, with
// a JSON control endpoint, for `herald fakes`, -demo and the load tool:
//
//	/telegram/bot<token>/<method>     Telegram Bot API
//	/slack/api/<method>               Slack Web API (+ Socket Mode)
//	/line/v2/bot/...                  LINE Messaging API and its data host
//	/messenger/{version}/me/messages  Messenger Send API
//	/messenger/{version}/             Graph batch requests of Send API calls
//	/control                          see Control
type Server struct {
	Recorder  *Recorder
	Telegram  *Telegram
	Slack     *Slack
	LINE      *LINE
	Messenger *Messenger
}

// NewServer returns the four fakes on one recorder using now (time.Now
// when nil) for timestamps, windows and rate limits.
func NewServer(now func() time.Time) *Server {
	rec := NewRecorder(now)
	return &Server{
		Recorder:  rec,
		Telegram:  NewTelegram(rec),
		Slack:     NewSlack(rec),
		LINE:      NewLINE(rec),
		Messenger: NewMessenger(rec),
	}
}

// Handler mounts each fake under its prefix and the control endpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/telegram/", http.StripPrefix("/telegram", s.Telegram))
	mux.Handle("/slack/", http.StripPrefix("/slack", s.Slack))
	mux.Handle("/line/", http.StripPrefix("/line", s.LINE))
	mux.Handle("/messenger/", http.StripPrefix("/messenger", s.Messenger))
	mux.Handle("/control", s.Control())
	return mux
}

// BaseURLs are the values to put into Herald's config so it talks to a
// Server reachable at some base URL.
type BaseURLs struct {
	Base        string `json:"base"`
	Telegram    string `json:"telegram.api_url"`
	Slack       string `json:"slack.api_url"` // with the trailing slash slack-go needs
	LINE        string `json:"line.api_url"`
	LINEData    string `json:"line.data_api_url"`
	Messenger   string `json:"messenger.api_url"` // any Graph version works below it
	ControlPath string `json:"control"`
}

// URLs returns the config values for a Server served at base
// ("http://127.0.0.1:8080").
func (s *Server) URLs(base string) BaseURLs {
	base = strings.TrimSuffix(base, "/")
	return BaseURLs{
		Base:        base,
		Telegram:    base + "/telegram",
		Slack:       base + "/slack/api/",
		LINE:        base + "/line",
		LINEData:    base + "/line",
		Messenger:   base + "/messenger",
		ControlPath: base + "/control",
	}
}

// Reset forgets every recording and switches every fault off.
func (s *Server) Reset() {
	s.Recorder.Reset()
	s.LINE.Reset()
	s.Messenger.Reset()
	s.Telegram.Faults.Reset()
	s.Slack.Faults.Reset()
}

// Close ends Telegram long polls and drops Socket Mode connections, which
// would otherwise hold an http.Server's Shutdown; call it first.
func (s *Server) Close() {
	s.Telegram.Close()
	s.Slack.Close()
}

// faults returns the Faults of a platform by name.
func (s *Server) faults(platform string) *Faults {
	switch platform {
	case "telegram":
		return s.Telegram.Faults
	case "slack":
		return s.Slack.Faults
	case "line":
		return s.LINE.Faults
	case "messenger":
		return s.Messenger.Faults
	}
	return nil
}
