package platformtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// ControlRequest is a command to the control endpoint: POST /control with
// one JSON object whose "action" picks what to do. Fields an action does not
// use are ignored.
type ControlRequest struct {
	Action string `json:"action"`

	// push_update (Telegram): the bot token and the Update object.
	Token  string          `json:"token,omitempty"`
	Update json.RawMessage `json:"update,omitempty"`
	// push_envelope (Slack Socket Mode): envelope type ("slash_commands",
	// "interactive", "events_api") and payload.
	Type    string          `json:"type,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// interacted (Messenger): the person who messaged the page, and when
	// (now when absent).
	PSID string     `json:"psid,omitempty"`
	At   *time.Time `json:"at,omitempty"`

	// faults, deliveries, duplicates, max_per_second, rejections: the
	// platform ("" for all where a query allows it).
	Platform  string `json:"platform,omitempty"`
	Recipient string `json:"recipient,omitempty"` // deliveries: only this recipient
	By        string `json:"by,omitempty"`        // max_per_second: "token" (default) or "recipient"

	// faults: each field set changes that fault; absent ones stay.
	RatePerSecond *int     `json:"rate_per_second,omitempty"` // 0 switches the limit off
	RetryAfterMS  int      `json:"retry_after_ms,omitempty"`
	Block         []string `json:"block,omitempty"`
	Unblock       []string `json:"unblock,omitempty"`
	FailNext      *int     `json:"fail_next,omitempty"`
	FailStatus    int      `json:"fail_status,omitempty"` // default 500
	LatencyMS     *int     `json:"latency_ms,omitempty"`
	Reset         bool     `json:"reset,omitempty"` // all faults off first
}

// controlActions lists the actions, shown to whoever asks for another.
var controlActions = []string{"push_update", "push_envelope", "interacted", "faults",
	"deliveries", "duplicates", "max_per_second", "rejections", "skipped", "reset"}

var platformNames = []string{"telegram", "slack", "line", "messenger"}

// ControlDelivery is a Delivery as the control endpoint shows it.
type ControlDelivery struct {
	Platform  string    `json:"platform"`
	Token     string    `json:"token"`
	Recipient string    `json:"recipient"`
	Method    string    `json:"method"`
	Content   string    `json:"content"`
	RequestID int64     `json:"request_id"`
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}

// ControlRejection is a Rejection as the control endpoint shows it.
type ControlRejection struct {
	Platform string    `json:"platform"`
	Token    string    `json:"token"`
	Method   string    `json:"method"`
	Status   int       `json:"status"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// Control returns the control endpoint: GET shows counts and the actions,
// POST runs one ControlRequest and answers {"ok":true,...} or 400 with
// {"ok":false,"error":"..."} saying what to fix.
func (s *Server) Control() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			s.controlSummary(w)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			writeJSONStatus(w, http.StatusMethodNotAllowed, controlError("use GET for a summary or POST a JSON command"))
			return
		}
		var req ControlRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields() // a misspelt fault must not pass silently
		if err := dec.Decode(&req); err != nil {
			writeJSONStatus(w, http.StatusBadRequest, controlError("the body must be one JSON object: "+err.Error()))
			return
		}
		out, err := s.control(req)
		if err != nil {
			writeJSONStatus(w, http.StatusBadRequest, controlError(err.Error()))
			return
		}
		out["ok"] = true
		writeJSONStatus(w, http.StatusOK, out)
	})
}

func controlError(msg string) map[string]any { return map[string]any{"ok": false, "error": msg} }

func (s *Server) controlSummary(w http.ResponseWriter) {
	counts := map[string]int{}
	for _, p := range platformNames {
		counts[p] = s.Recorder.Count(p)
	}
	writeJSONStatus(w, http.StatusOK, map[string]any{"ok": true, "deliveries": counts,
		"rejections": len(s.Recorder.Rejected("")), "actions": controlActions})
}

func (s *Server) control(req ControlRequest) (map[string]any, error) {
	if req.Platform != "" && !slices.Contains(platformNames, req.Platform) {
		return nil, fmt.Errorf("unknown platform %q: use one of %s", req.Platform, strings.Join(platformNames, ", "))
	}
	switch req.Action {
	case "push_update":
		if req.Token == "" || len(req.Update) == 0 {
			return nil, fmt.Errorf(`push_update needs "token" (the bot token) and "update" (a Telegram Update object)`)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(req.Update, &obj) != nil {
			return nil, fmt.Errorf(`"update" must be a JSON object such as {"message":{"chat":{"id":1},"text":"/start"}}`)
		}
		id, err := s.Telegram.PushUpdate(req.Token, req.Update)
		if err != nil {
			return nil, fmt.Errorf("push_update: %w", err)
		}
		return map[string]any{"update_id": id}, nil
	case "push_envelope":
		if req.Type == "" || len(req.Payload) == 0 {
			return nil, fmt.Errorf(`push_envelope needs "type" (e.g. "slash_commands") and "payload"`)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(req.Payload, &obj) != nil {
			return nil, fmt.Errorf(`"payload" must be a JSON object (the Socket Mode payload)`)
		}
		return map[string]any{"envelope_id": s.Slack.PushEnvelope(req.Type, req.Payload)}, nil
	case "interacted":
		if req.PSID == "" {
			return nil, fmt.Errorf(`interacted needs "psid", the Messenger user who wrote to the page`)
		}
		at := s.Recorder.Now()
		if req.At != nil {
			at = *req.At
		}
		s.Messenger.Interacted(req.PSID, at)
		return map[string]any{}, nil
	case "faults":
		return map[string]any{}, s.setFaults(req)
	case "deliveries":
		ds := s.Recorder.Deliveries(req.Platform)
		out := make([]ControlDelivery, 0, len(ds))
		for _, d := range ds {
			if req.Recipient == "" || d.Recipient == req.Recipient {
				out = append(out, ControlDelivery(d))
			}
		}
		return map[string]any{"deliveries": out}, nil
	case "duplicates":
		return map[string]any{"duplicates": s.Recorder.Duplicates(req.Platform)}, nil
	case "max_per_second":
		if req.By != "" && req.By != "token" && req.By != "recipient" {
			return nil, fmt.Errorf(`"by" is "token" or "recipient", not %q`, req.By)
		}
		return map[string]any{"max_per_second": s.Recorder.MaxPerSecond(req.Platform, req.By == "recipient")}, nil
	case "rejections":
		xs := s.Recorder.Rejected(req.Platform)
		out := make([]ControlRejection, 0, len(xs))
		for _, x := range xs {
			out = append(out, ControlRejection(x))
		}
		return map[string]any{"rejections": out}, nil
	case "skipped":
		out := []ControlDelivery{}
		for _, d := range s.LINE.Skipped() {
			out = append(out, ControlDelivery(d))
		}
		return map[string]any{"skipped": out}, nil
	case "reset":
		s.Reset()
		return map[string]any{}, nil
	}
	return nil, fmt.Errorf("unknown action %q: use one of %s", req.Action, strings.Join(controlActions, ", "))
}

func (s *Server) setFaults(req ControlRequest) error {
	f := s.faults(req.Platform)
	if f == nil {
		return fmt.Errorf(`faults needs "platform": one of %s`, strings.Join(platformNames, ", "))
	}
	if req.RatePerSecond != nil && *req.RatePerSecond < 0 {
		return fmt.Errorf(`"rate_per_second" must be 0 (off) or more`)
	}
	if req.FailStatus != 0 && (req.FailStatus < 500 || req.FailStatus > 599) {
		return fmt.Errorf(`"fail_status" must be a 5xx status, not %d`, req.FailStatus)
	}
	if req.Reset {
		f.Reset()
	}
	if req.RatePerSecond != nil {
		f.SetRateLimit(*req.RatePerSecond, time.Duration(req.RetryAfterMS)*time.Millisecond)
	}
	f.Block(req.Block...)
	f.Unblock(req.Unblock...)
	if req.FailNext != nil {
		status := req.FailStatus
		if status == 0 {
			status = http.StatusInternalServerError
		}
		f.FailNext(*req.FailNext, status)
	}
	if req.LatencyMS != nil {
		f.SetLatency(time.Duration(*req.LatencyMS) * time.Millisecond)
	}
	return nil
}
