package platformtest

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCanonicalFieldIsCompactJSONOfTheField(t *testing.T) {
	cases := []struct{ doc, want string }{
		{`{"to":"U1","messages":[{"type":"text","text":"a, b: {c}"}]}`, `[{"type":"text","text":"a, b: {c}"}]`},
		{"{ \"messages\" : [ {\"type\": \"text\",\n \"text\": \"say \\\"hi\\\"  \"} ] , \"to\":\"U\"}", `[{"type":"text","text":"say \"hi\"  "}]`},
		{`{"a":{"messages":1},"messages":null}`, `null`},
		{`{"n":-1.5e3,"b":true,"messages":[]}`, `[]`},
	}
	for _, c := range cases {
		got, ok := canonicalField([]byte(c.doc), "messages")
		if !ok || got != c.want {
			t.Errorf("canonicalField(%s) = %q, %v; want %q", c.doc, got, ok, c.want)
		}
	}
	if _, ok := canonicalField([]byte(`{"to":"U1"}`), "messages"); ok {
		t.Error("found a field that is not there")
	}
	// An escaped key is left to encoding/json, which still finds it.
	if got := compactField([]byte(`{"m\u0065ssages":[1, 2]}`), "messages"); got != `[1,2]` {
		t.Errorf("escaped key: %q", got)
	}
}

// TestFastDecodingMatchesEncodingJSON checks the hot-path readers against
// encoding/json on the bodies they take and the ones they hand over.
func TestFastDecodingMatchesEncodingJSON(t *testing.T) {
	lineBodies := []string{
		`{"to":"U1","messages":[{"type":"text","text":"hi"}],"notificationDisabled":false}`,
		`{"to":"U1","messages":[{"type":"text","text":"caf\u00e9 \"x\""}]}`,
		`{"to":"U1","messages":[{"type":"image","originalContentUrl":"https://a/b.png","previewImageUrl":"https://a/p.png"},{"type":"sticker","packageId":"1","stickerId":"2"}]}`,
		`{"to":"U1","messages":[{"type":"template","altText":"a","template":{"type":"buttons","text":"t","actions":[{}]}}]}`,
		`{"to":null,"messages":null}`,
		`{ "messages" : [ ] , "to" : "U2" }`,
	}
	for _, body := range lineBodies {
		var fast, slow linePushRequest
		if err := decodeLINESend([]byte(body), nil, &fast.To, &fast.Messages); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if err := json.Unmarshal([]byte(body), &slow); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s:\nfast %+v\nslow %+v", body, fast, slow)
		}
	}
	var to []string
	var msgs []lineMessage
	if err := decodeLINESend([]byte(`{"to":["U1","U2"],"messages":[{"type":"text","text":"x"}]}`), &to, nil, &msgs); err != nil ||
		!reflect.DeepEqual(to, []string{"U1", "U2"}) || len(msgs) != 1 {
		t.Errorf("multicast: %v %v %v", to, msgs, err)
	}
	if err := decodeLINESend([]byte(`{"to":"U1","messages":"x"}`), nil, new(string), &msgs); err == nil {
		t.Error("messages as a string accepted")
	}

	msgrBodies := []string{
		`{"recipient":{"id":"P1"},"messaging_type":"UPDATE","message":{"text":"hi"}}`,
		`{"recipient":{"id":"P1"},"messaging_type":"MESSAGE_TAG","tag":"ACCOUNT_UPDATE","message":{"text":"\u00e9"}}`,
		`{"recipient":{"id":"P1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"image","payload":{"url":"https://x/y.png","is_reusable":true}}}}`,
		`{"recipient":{"id":"P1"},"sender_action":"typing_on","access_token":"t","appsecret_proof":"ab"}`,
		`{"recipient":{"id":"P1"},"message":null}`,
	}
	for _, body := range msgrBodies {
		var fast, slow messengerRequest
		if err := decodeMessengerJSON([]byte(body), &fast); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if err := json.Unmarshal([]byte(body), &slow); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s:\nfast %+v\nslow %+v", body, fast, slow)
		}
	}
}
