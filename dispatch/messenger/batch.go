package messenger

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// A broadcast's recipients who get the same message go to Graph as batch
// requests: one form POST to the Graph root carrying up to MaxBatch Send
// API calls (batch=[{"method":"POST","relative_url":"me/messages",
// "body":"recipient=…&messaging_type=…&message=…"},…]), answered one by
// one in a JSON array. The HTTP round trip, not the call, is what costs
// Herald and Graph the most CPU per message; each call still counts
// against the page's rate limit (BatchClass keeps the per-message rate).
//
// Only content of one request per recipient is batched (MulticastsOf):
// an album and its buttons must arrive in order, one after the other.
// Each call has a body of its own, so personalised content and tracked
// links are batched too (MulticastsPersonal): each call carries its
// recipient's message (dispatch.Message.Contents), rendered and encoded
// only when it differs from the call's before.

// MaxBatch is the most calls Graph takes in one batch request.
const MaxBatch = 50

// BatchClass names the rate class of batch requests, per page: its rate
// is the class's messages per second divided by the batch size, so a full
// batch spends its calls' share of the page's rate.
const BatchClass = "messenger-batch"

// MaxMulticast implements dispatch.Multicaster: Config.BatchSize.
func (s *Sender) MaxMulticast() int { return s.cfg.BatchSize }

// MulticastsOf implements dispatch.ContentMulticaster: content that takes
// one request per recipient.
func (s *Sender) MulticastsOf(c *herald.Content) bool { return s.Parts(c) == 1 }

// MulticastsPersonal implements dispatch.PersonalMulticaster: each call
// of a batch has its own body.
func (s *Sender) MulticastsPersonal() bool { return true }

// Parts implements dispatch.PartCounter: the requests c takes to one
// recipient.
func (s *Sender) Parts(c *herald.Content) int { return len(s.render("", c)) }

// sendBatch sends parts (of one request) to m's recipients in one batch
// request, or each their own content's when m has Contents (parts is the
// first's), and answers how each call ended: a *dispatch.EachError, or
// the whole request's error.
func (s *Sender) sendBatch(ctx context.Context, m *dispatch.Message, parts [][]byte) error {
	if err := batchable(parts); err != nil {
		return err
	}
	if len(m.To) > MaxBatch {
		return fmt.Errorf("messenger: %d recipients in one batch, at most %d", len(m.To), MaxBatch)
	}
	pre, post := callAround(m, parts[0])
	b := make([]byte, 0, len(s.head)+len(m.To)*(len(pre)+len(post)+24)+8)
	b = append(b, s.head...)
	b = append(b, "%5B"...) // [
	last := parts
	for i, r := range m.To {
		if i > 0 {
			b = append(b, "%2C"...) // ,
		}
		if m.Contents != nil && i > 0 {
			own, err := s.parts(m.BroadcastID, &m.Contents[i])
			if err != nil {
				return err
			}
			if err := batchable(own); err != nil {
				return err
			}
			if &own[0] != &last[0] { // the cache's, when it renders alike
				_, post = callAround(m, own[0])
				last = own
			}
		}
		b = append(b, pre...)
		b = append(b, url.QueryEscape(url.QueryEscape(inJSONString(r.Key.ID)))...)
		b = append(b, post...)
	}
	b = append(b, "%5D"...) // ]
	each := &dispatch.EachError{IDs: make([]string, len(m.To)), Errs: make([]error, len(m.To))}
	err := s.roundTrip(ctx, s.batch, b, func(raw []byte) error { return readBatch(raw, each) })
	if err != nil {
		return err
	}
	return each
}

// batchable says why content of parts cannot go in a batch call, if it
// cannot: the engine batches only content of one request (MulticastsOf).
func batchable(parts [][]byte) error {
	if len(parts) != 1 {
		return fmt.Errorf("messenger: content of %d requests cannot be batched", len(parts))
	}
	return nil
}

// batchHead is a batch body's start: the token, its proof and
// include_headers=false (the calls' headers are not read), then batch=.
func batchHead(token, proof string) string {
	h := "access_token=" + url.QueryEscape(token)
	if proof != "" {
		h += "&appsecret_proof=" + proof
	}
	return h + "&include_headers=false&batch="
}

// callAround is the batch call of m around its recipient's PSID, as it
// stands in the form: JSON inside a form value inside JSON inside the
// form. Query escaping leaves nothing JSON escapes, so each piece is
// escaped on its own and the PSID twice, after JSON's (inJSONString).
func callAround(m *dispatch.Message, part []byte) (pre, post string) {
	mt := messagingType(m)
	body := url.QueryEscape(`"}`) + "&messaging_type=" + mt
	if mt == "MESSAGE_TAG" && m.Tag != "" {
		body += "&tag=" + url.QueryEscape(string(m.Tag))
	}
	body += "&message=" + url.QueryEscape(string(part))
	pre = url.QueryEscape(`{"method":"POST","relative_url":"me/messages","body":"recipient=` + url.QueryEscape(`{"id":"`))
	return pre, url.QueryEscape(body + `"}`)
}

// inJSONString is id as it stands between a JSON string's quotes (as
// the single request writes it, appendJSONString); Messenger's PSIDs are
// digits, which stand as they are.
func inJSONString(id string) string {
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x20 || c == '"' || c == '\\' {
			q := appendJSONString(nil, id)
			return string(q[1 : len(q)-1])
		}
	}
	return id
}

// batchAnswer is one call's answer in a batch's; null when it did not
// complete.
type batchAnswer struct {
	Code    int `json:"code"`
	Headers []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Body string `json:"body"`
}

// readBatch reads a batch's answers into each, in the calls' order. A
// call answered null, or missing, did not complete: a timeout, so
// temporary (sent again, possibly twice, as after a timed-out request).
func readBatch(raw []byte, each *dispatch.EachError) error {
	var calls []*batchAnswer
	if err := json.Unmarshal(raw, &calls); err != nil {
		return &herald.TemporaryError{Err: fmt.Errorf("messenger: read batch answer: %w", err)}
	}
	for i := range each.Errs {
		if i >= len(calls) || calls[i] == nil {
			each.Errs[i] = &herald.TemporaryError{Err: errUnfinished}
			continue
		}
		c := calls[i]
		if c.Code == http.StatusOK {
			each.IDs[i] = messageID([]byte(c.Body))
			continue
		}
		var retryAfter string
		for _, h := range c.Headers {
			if http.CanonicalHeaderKey(h.Name) == "Retry-After" {
				retryAfter = h.Value
			}
		}
		each.Errs[i] = translate(c.Code, retryAfter, []byte(c.Body))
	}
	return nil
}

var errUnfinished = fmt.Errorf("messenger: the batch call did not complete (Graph answered null)")
