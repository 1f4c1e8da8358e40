package platformtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The Graph API's batch requests: one POST to the Graph root (/ or
// /{version}/), form-encoded or multipart, with access_token (and
// appsecret_proof) at the top and batch, a JSON array of up to
// maxGraphBatch calls, each {"method","relative_url","body"} where body is
// the call's form string. The answer is 200 with a JSON array, one element
// per call in order: {"code":…,"headers":[…],"body":"<the call's JSON
// answer>"} (no headers with include_headers=false), or null for a call
// that did not complete.
//
// Each call to me/messages ({version}/me/messages, any query) goes
// through exactly what the single endpoint does (Messenger.call): the
// same validation, blocked people, window, tags and recording, under the
// batch's token; a call's own access_token is ignored. Faults: latency
// and FailNext apply to the batch's HTTP request (FailNext answers the
// whole batch with that 5xx and runs none of its calls), the rate limit
// to each call (a limited call answers code 400 with Graph's error 613,
// the others go on). LimitOnce and Unfinished single out calls by
// recipient. The deliveries of one batch share its Delivery.RequestID.
const maxGraphBatch = 50

var errGraphBatchSize = graphError{Message: "Too many requests in batch message. Maximum batch size is 50", Type: "GraphBatchException", Code: 1}

// graphCall is one element of a batch.
type graphCall struct {
	Method      string `json:"method"`
	RelativeURL string `json:"relative_url"`
	Body        string `json:"body"`
}

// LimitOnce makes the next batch call to each of these PSIDs answer
// Graph's rate limit (613) instead of delivering; later calls deliver.
func (m *Messenger) LimitOnce(psids ...string) { m.singleOut(m.limitOnce, psids) }

// Unfinished makes the next batch call to each of these PSIDs answer null,
// delivering nothing: the part of a batch that timed out.
func (m *Messenger) Unfinished(psids ...string) { m.singleOut(m.unfinished, psids) }

func (m *Messenger) singleOut(set map[string]bool, psids []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range psids {
		set[p] = true
	}
}

// takeOnce reports whether psid is in set, removing it.
func (m *Messenger) takeOnce(set map[string]bool, psid string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !set[psid] {
		return false
	}
	delete(set, psid)
	return true
}

// batch serves a batch request.
func (m *Messenger) batch(w http.ResponseWriter, r *http.Request) {
	var err error
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(4 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		m.fail(w, r, "", http.StatusBadRequest, graphParam("The request body could not be parsed"))
		return
	}
	top := &messengerRequest{AccessToken: r.Form.Get("access_token"), AppsecretProof: r.Form.Get("appsecret_proof")}
	token, ok := m.authenticate(w, r, top)
	if !ok {
		return
	}
	var calls []*graphCall
	if raw := r.Form.Get("batch"); raw == "" || json.Unmarshal([]byte(raw), &calls) != nil {
		m.fail(w, r, token, http.StatusBadRequest, graphParam("The parameter batch is required and must be a JSON array"))
		return
	}
	if len(calls) > maxGraphBatch {
		m.fail(w, r, token, http.StatusBadRequest, errGraphBatchSize)
		return
	}
	if v := m.Faults.CheckRequest(); v.Status != 0 {
		m.fail(w, r, token, v.Status, errGraphUnexpected)
		return
	}
	headers := r.Form.Get("include_headers") != "false"
	requestID := m.rec.NewRequestID() // the batch's calls share it
	out := make([]byte, 0, 128*len(calls))
	out = append(out, '[')
	for i, c := range calls {
		if i > 0 {
			out = append(out, ',')
		}
		a, done := m.batchCall(token, c, requestID)
		if !done {
			out = append(out, "null"...)
			continue
		}
		out = strconv.AppendInt(append(out, `{"code":`...), int64(a.status), 10)
		if headers {
			out = append(out, `,"headers":[{"name":"Content-Type","value":"application/json; charset=UTF-8"}]`...)
		}
		out = append(appendJSON(append(out, `,"body":`...), string(a.body)), '}')
	}
	writeJSONBytes(w, http.StatusOK, append(out, ']'))
}

// batchCall runs one call of a batch; done is false for a call singled out
// as Unfinished (null).
func (m *Messenger) batchCall(token string, c *graphCall, requestID int64) (a messengerAnswer, done bool) {
	if c == nil {
		return m.reject(token, http.StatusBadRequest, graphParam("Each batch call must be a JSON object")), true
	}
	p, _, _ := strings.Cut(strings.TrimPrefix(c.RelativeURL, "/"), "?")
	if v, rest, ok := strings.Cut(p, "/"); ok && isGraphVersion(v) {
		p = rest
	}
	switch {
	case p != "me/messages":
		return m.reject(token, http.StatusBadRequest, graphError{Message: "Unknown path components: /" + p, Type: "OAuthException", Code: 2500}), true
	case !strings.EqualFold(c.Method, http.MethodPost):
		return m.reject(token, http.StatusBadRequest, graphError{Message: "Unsupported " + strings.ToLower(c.Method) + " request.", Type: "GraphMethodException", Code: 100}), true
	}
	f, err := url.ParseQuery(c.Body)
	var req *messengerRequest
	if err == nil {
		req, err = messengerForm(f)
	}
	if err != nil {
		return m.reject(token, http.StatusBadRequest, graphParam(err.Error())), true
	}
	psid := req.Recipient.ID
	switch {
	case m.takeOnce(m.unfinished, psid):
		return a, false
	case m.takeOnce(m.limitOnce, psid), m.Faults.CheckCall(token).Status != 0:
		return m.reject(token, http.StatusBadRequest, errGraphRateLimited), true
	}
	return m.call(token, req, requestID), true
}
