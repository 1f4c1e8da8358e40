package platformtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// messengerTags are the message tags the Send API accepts with MESSAGE_TAG.
var messengerTags = []string{"ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "CUSTOMER_FEEDBACK", "HUMAN_AGENT", "POST_PURCHASE_UPDATE"}

// call validates one Send API call, applies blocked people and the
// window, then records the delivery and answers
// {"recipient_id","message_id"}: the single endpoint's answer, and each
// call's in a batch. requestID is the HTTP request's (a batch's calls
// share it; 0: a new one).
func (m *Messenger) call(token string, req *messengerRequest, requestID int64) messengerAnswer {
	if e, bad := checkMessengerRequest(req); bad {
		return m.reject(token, http.StatusBadRequest, e)
	}
	psid := req.Recipient.ID
	if m.Faults.Blocked(psid) {
		return m.reject(token, http.StatusBadRequest, errGraphUnavailable)
	}
	now := m.rec.Now()
	m.mu.Lock()
	last, known := m.interacted[psid]
	m.mu.Unlock()
	if !known {
		return m.reject(token, http.StatusBadRequest, errGraphNoUser)
	}
	window := messengerWindow
	switch {
	case req.MessagingType == "MESSAGE_TAG" && req.Tag == "HUMAN_AGENT":
		window = messengerHumanWindow
	case req.MessagingType == "MESSAGE_TAG":
		window = 0 // the other tags may be sent any time
	}
	if window > 0 && now.Sub(last) > window {
		return m.reject(token, http.StatusBadRequest, errGraphWindow)
	}
	b := appendJSON([]byte(`{"recipient_id":`), psid)
	if req.SenderAction != "" { // typing indicators and read marks deliver nothing
		return messengerAnswer{http.StatusOK, append(b, '}')}
	}
	id := "m_" + strconv.FormatInt(m.nextID.Add(1), 36) + "fake"
	if requestID == 0 {
		requestID = m.rec.NewRequestID()
	}
	m.rec.Record(Delivery{Platform: "messenger", Token: token, Recipient: psid, Method: "me/messages",
		Content: req.content, RequestID: requestID, MessageID: id, At: now})
	b = appendJSON(append(b, `,"message_id":`...), id)
	return messengerAnswer{http.StatusOK, append(b, '}')}
}

// appendJSON appends s as a JSON string.
func appendJSON(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// messengerMessage holds the fields of a message the fake checks.
type messengerMessage struct {
	Text       *string `json:"text"`
	Attachment *struct {
		Type    string `json:"type"`
		Payload struct {
			URL          string            `json:"url"`
			AttachmentID string            `json:"attachment_id"`
			IsReusable   bool              `json:"is_reusable"`
			TemplateType string            `json:"template_type"`
			Text         *string           `json:"text"`
			Buttons      []messengerButton `json:"buttons"`
			Elements     []struct {
				Title   string            `json:"title"`
				Buttons []messengerButton `json:"buttons"`
			} `json:"elements"`
		} `json:"payload"`
	} `json:"attachment"`
}

type messengerButton struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Payload string `json:"payload"`
}

// checkMessengerRequest applies the Send API's parameter rules; Graph
// reports the first problem only.
func checkMessengerRequest(req *messengerRequest) (graphError, bool) {
	switch {
	case req.Recipient.ID == "":
		return graphParam("The parameter recipient is required"), true
	case req.Message == nil && req.SenderAction == "":
		return graphParam("Must send either message or state"), true
	case req.Message != nil && req.SenderAction != "":
		return graphParam("Cannot send both message and state at the same time."), true
	case req.MessagingType == "" && req.SenderAction == "":
		return graphParam("The parameter messaging_type is required"), true
	}
	switch req.MessagingType {
	case "RESPONSE", "UPDATE", "":
		if req.Tag != "" {
			return graphParam("Tag can only be used with messaging_type MESSAGE_TAG"), true
		}
	case "MESSAGE_TAG":
		if req.Tag == "" {
			return graphParam("The parameter tag is required for messaging_type MESSAGE_TAG"), true
		}
		if !slices.Contains(messengerTags, req.Tag) {
			return graphParam("Param tag must be one of {" + strings.Join(messengerTags, ", ") + "} - got \"" + req.Tag + "\""), true
		}
	default:
		return graphParam("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG} - got \"" + req.MessagingType + "\""), true
	}
	if req.SenderAction != "" {
		if !slices.Contains([]string{"typing_on", "typing_off", "mark_seen"}, req.SenderAction) {
			return graphParam("Param sender_action must be one of {typing_on, typing_off, mark_seen}"), true
		}
		return graphError{}, false
	}
	return checkMessengerMessage(req.Message)
}

func checkMessengerMessage(msg *messengerMessage) (graphError, bool) {
	switch {
	case msg.Text != nil && msg.Attachment != nil:
		return graphParam("Only one of text or attachment can be specified"), true
	case msg.Text != nil:
		if *msg.Text == "" {
			return graphParam("The parameter message[text] is required"), true
		}
		if utf8.RuneCountInString(*msg.Text) > 2000 {
			return graphParam("Length of param message[text] must be less than or equal to 2000"), true
		}
		return graphError{}, false
	case msg.Attachment == nil:
		return graphParam("Must send either message text or attachment"), true
	}
	a := msg.Attachment
	switch a.Type {
	case "image", "audio", "video", "file":
		if a.Payload.AttachmentID == "" && !isHTTPURL(a.Payload.URL) {
			return graphParam("param message[attachment][payload][url] must be a valid URL"), true
		}
	case "template":
		switch a.Payload.TemplateType {
		case "button":
			if a.Payload.Text == nil || *a.Payload.Text == "" {
				return graphParam("The parameter message[attachment][payload][text] is required"), true
			}
			if utf8.RuneCountInString(*a.Payload.Text) > 640 {
				return graphParam("Length of param message[attachment][payload][text] must be less than or equal to 640"), true
			}
			return checkMessengerButtons("message[attachment][payload][buttons]", a.Payload.Buttons, 1)
		case "generic":
			if n := len(a.Payload.Elements); n < 1 || n > 10 {
				return graphParam("param message[attachment][payload][elements] must have between 1 and 10 elements"), true
			}
			for i, el := range a.Payload.Elements {
				p := "message[attachment][payload][elements][" + strconv.Itoa(i) + "]"
				if el.Title == "" {
					return graphParam("The parameter " + p + "[title] is required"), true
				}
				if utf8.RuneCountInString(el.Title) > 80 {
					return graphParam("Length of param " + p + "[title] must be less than or equal to 80"), true
				}
				if e, bad := checkMessengerButtons(p+"[buttons]", el.Buttons, 0); bad {
					return e, bad
				}
			}
		default:
			return graphParam("Invalid template type"), true
		}
	default:
		return graphParam("param message[attachment][type] must be one of {image, audio, video, file, template}"), true
	}
	return graphError{}, false
}

// checkMessengerButtons allows least to 3 buttons, each titled (20 chars at
// most) and carrying what its type needs.
func checkMessengerButtons(param string, buttons []messengerButton, least int) (graphError, bool) {
	if n := len(buttons); n < least || n > 3 {
		return graphParam("param " + param + " must have at most 3 elements"), true
	}
	for i, b := range buttons {
		p := param + "[" + strconv.Itoa(i) + "]"
		switch {
		case b.Title == "":
			return graphParam("The parameter " + p + "[title] is required"), true
		case utf8.RuneCountInString(b.Title) > 20:
			return graphParam("Length of param " + p + "[title] must be less than or equal to 20"), true
		case b.Type == "web_url" && !isHTTPURL(b.URL):
			return graphParam("param " + p + "[url] must be a valid URL"), true
		case b.Type == "postback" && b.Payload == "":
			return graphParam("The parameter " + p + "[payload] is required"), true
		case b.Type != "web_url" && b.Type != "postback" && b.Type != "phone_number":
			return graphParam("param " + p + "[type] must be one of {web_url, postback, phone_number}"), true
		}
	}
	return graphError{}, false
}

func isHTTPURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}
