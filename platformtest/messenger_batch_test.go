package platformtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// batchCall is one Send API call of a batch, its body a form string.
func batchCall(psid, message string) map[string]string {
	body := url.Values{"recipient": {`{"id":"` + psid + `"}`}, "messaging_type": {"UPDATE"}, "message": {message}}
	return map[string]string{"method": "POST", "relative_url": "me/messages", "body": body.Encode()}
}

// callAnswer is one element of a batch's answer.
type callAnswer struct {
	Code    int               `json:"code"`
	Headers []json.RawMessage `json:"headers"`
	Body    string            `json:"body"`
}

// postBatch posts a form-encoded batch to path and decodes the answer's
// array (status 200) or error.
func (f *messengerFixture) postBatch(t *testing.T, path string, form url.Values) (int, []*callAnswer, graphAnswer) {
	t.Helper()
	res, err := http.PostForm(f.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var calls []*callAnswer
	var a graphAnswer
	if res.StatusCode == 200 {
		err = json.NewDecoder(res.Body).Decode(&calls)
	} else {
		err = json.NewDecoder(res.Body).Decode(&a)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, calls, a
}

func batchForm(calls ...map[string]string) url.Values {
	b, _ := json.Marshal(calls)
	return url.Values{"access_token": {pageToken}, "include_headers": {"false"}, "batch": {string(b)}}
}

// A batch's calls each fare as the single endpoint would: delivered,
// refused for a blocked person, outside the window, a bad message, or
// rate limited; one singled out as unfinished answers null and delivers
// nothing.
func TestMessengerBatchAnswersEachCall(t *testing.T) {
	f := newMessengerFixture(t)
	now := f.clock.Now()
	for _, p := range []string{"P1", "P2", "P3", "P5", "P6", "P7"} {
		f.m.Interacted(p, now.Add(-time.Hour))
	}
	f.m.Interacted("P4", now.Add(-48*time.Hour))
	f.m.Faults.Block("P2")
	f.m.LimitOnce("P6")
	f.m.Unfinished("P7")
	hi := `{"text":"hi"}`
	status, calls, _ := f.postBatch(t, "/v21.0/", batchForm(batchCall("P1", hi), batchCall("P2", hi), batchCall("P3", `{"text":""}`),
		batchCall("P4", hi), batchCall("P5", hi), batchCall("P6", hi), batchCall("P7", hi)))
	if status != 200 || len(calls) != 7 {
		t.Fatalf("status %d, %d answers: want 200 and 7", status, len(calls))
	}
	wantCodes := []int{200, 400, 400, 400, 200, 400}
	wantErr := []int{0, 551, 100, 10, 0, 613}
	for i, want := range wantCodes {
		c := calls[i]
		if c == nil || c.Code != want || c.Headers != nil {
			t.Fatalf("call %d: %+v, want code %d and no headers", i, c, want)
		}
		var a graphAnswer
		if err := json.Unmarshal([]byte(c.Body), &a); err != nil || a.Error.Code != wantErr[i] {
			t.Errorf("call %d: body %s, want error code %d", i, c.Body, wantErr[i])
		}
		if want == 200 && (a.RecipientID == "" || !strings.HasPrefix(a.MessageID, "m_")) {
			t.Errorf("call %d: body %s, want recipient and message IDs", i, c.Body)
		}
	}
	if calls[6] != nil {
		t.Errorf("the unfinished call answered %+v, want null", calls[6])
	}
	ds := f.rec.Deliveries("messenger")
	if len(ds) != 2 || ds[0].Recipient != "P1" || ds[1].Recipient != "P5" || ds[0].RequestID != ds[1].RequestID || ds[0].Content != hi {
		t.Fatalf("deliveries %+v: want P1 and P5 in one request", ds)
	}
	// LimitOnce and Unfinished hold once: the same calls again deliver.
	_, calls, _ = f.postBatch(t, "/", batchForm(batchCall("P6", hi), map[string]string{"method": "POST", "relative_url": "v21.0/me/messages?x=1", "body": batchCall("P7", hi)["body"]}))
	if len(calls) != 2 || calls[0] == nil || calls[0].Code != 200 || calls[1] == nil || calls[1].Code != 200 {
		t.Fatalf("the calls again: %+v %+v, want 200 twice", calls[0], calls[1])
	}
}

// The batch itself is refused whole: more than 50 calls, a bad token, a
// missing batch; a 5xx fault fails the whole batch, its calls unrun.
func TestMessengerBatchRefusals(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.Interacted("P1", f.clock.Now())
	var many []map[string]string
	for i := range 51 {
		many = append(many, batchCall(fmt.Sprint("P", i), `{"text":"hi"}`))
	}
	status, _, a := f.postBatch(t, "/v21.0/", batchForm(many...))
	if status != 400 || a.Error.Type != "GraphBatchException" || !strings.Contains(a.Error.Message, "Maximum batch size is 50") {
		t.Errorf("51 calls: status %d, %+v", status, a.Error)
	}
	form := batchForm(batchCall("P1", `{"text":"hi"}`))
	form.Set("access_token", "wrong")
	if status, _, a := f.postBatch(t, "/v21.0/", form); status != 400 || a.Error.Code != 190 {
		t.Errorf("bad token: status %d, %+v", status, a.Error)
	}
	if status, _, a := f.postBatch(t, "/v21.0/", url.Values{"access_token": {pageToken}}); status != 400 || a.Error.Code != 100 {
		t.Errorf("no batch: status %d, %+v", status, a.Error)
	}
	f.m.Faults.FailNext(1, 500)
	if status, _, _ := f.postBatch(t, "/v21.0/", batchForm(batchCall("P1", `{"text":"hi"}`))); status != 500 {
		t.Errorf("a 5xx fault: status %d, want 500", status)
	}
	if n := f.rec.Count("messenger"); n != 0 {
		t.Errorf("%d delivered by refused batches, want none", n)
	}
}

// The rate limit counts each call of a batch; appsecret_proof goes with
// the batch's token; multipart forms and headers are served too.
func TestMessengerBatchRateLimitsEachCall(t *testing.T) {
	f := newMessengerFixture(t)
	f.m.SetAppSecret("s3cret")
	f.m.Faults.SetRateLimit(2, time.Second)
	for _, p := range []string{"P1", "P2", "P3"} {
		f.m.Interacted(p, f.clock.Now())
	}
	hi := `{"text":"hi"}`
	calls, _ := json.Marshal([]map[string]string{batchCall("P1", hi), batchCall("P2", hi), batchCall("P3", hi)})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("access_token", pageToken)
	_ = mw.WriteField("appsecret_proof", proofOf("s3cret", pageToken))
	_ = mw.WriteField("batch", string(calls))
	_ = mw.Close()
	res, err := http.Post(f.base+"/", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var got []*callAnswer
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil || len(got) != 3 {
		t.Fatalf("status %s, answers %v (%v)", res.Status, got, err)
	}
	for i, want := range []int{200, 200, 400} {
		if got[i].Code != want || len(got[i].Headers) == 0 {
			t.Errorf("call %d: %+v, want code %d with headers", i, got[i], want)
		}
	}
	if !strings.Contains(got[2].Body, `"code":613`) {
		t.Errorf("the third call: %s, want error 613", got[2].Body)
	}
}
