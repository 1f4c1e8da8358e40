package api

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	"github.com/heraldbot/herald/handlers/inbound"
)

// TestSubscriberIDLimitIsTheSameAtEveryDoor feeds the same IDs to the three
// doors that take a subscriber ID from outside (this API's path, the
// inbound event every webhook becomes, a CSV import) and to the stored
// record's own check: each accepts and refuses exactly the same IDs, for the
// same reason, because each asks herald.ValidateSubscriberID.
func TestSubscriberIDLimitIsTheSameAtEveryDoor(t *testing.T) {
	atLimit := "U" + strings.Repeat("7", herald.MaxSubscriberIDLen-1)
	wide := "1" + strings.Repeat("字", (herald.MaxSubscriberIDLen-2)/3) // 127 bytes
	for _, tc := range []struct {
		name, id string
		code     string // "" when accepted
		issue    audience.IssueKind
	}{
		{"at the limit", atLimit, "", ""},
		{"one byte over", atLimit + "7", herald.CodeTooLong, audience.IssueTooLong},
		{"wide characters under the limit", wide, "", ""},
		{"wide characters counted in bytes", wide + "字", herald.CodeTooLong, audience.IssueTooLong},
		{"blank", " ", herald.CodeRequired, audience.IssueEmptyID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(herald.ValidateSubscriberID(tc.id)); got != tc.code {
				t.Errorf("herald.ValidateSubscriberID: %q, want %q", got, tc.code)
			}
			sub := herald.Subscriber{Platform: herald.LINE, ID: tc.id, Kind: herald.KindUser}
			if got := codeOf(sub.Validate()); got != tc.code {
				t.Errorf("Subscriber.Validate: %q, want %q", got, tc.code)
			}

			r := newRig(t, Options{})
			a := r.call(t, "PUT", "/api/v1/subscribers/line/"+url.PathEscape(tc.id), goodToken, map[string]any{})
			if tc.code == "" {
				a.want(t, 201, "API upsert")
			} else {
				a.wantError(t, 422, tc.code, "id", "API upsert")
			}

			ev := inbound.Event{Kind: inbound.Subscribe, Key: herald.SubscriberKey{Platform: herald.LINE, ID: tc.id}}
			if got := codeOf(ev.Validate()); got != tc.code {
				t.Errorf("inbound.Event.Validate: %q, want %q", got, tc.code)
			}

			list, err := audience.ParseIDs(strings.NewReader("U1\nline:"+tc.id+"\n"), 0)
			if err != nil {
				t.Fatal(err)
			}
			var issue audience.IssueKind
			if len(list.Malformed) > 0 {
				issue = list.Malformed[0].Kind
			}
			if issue != tc.issue || tc.issue == "" && (len(list.Entries) != 2 || list.Entries[1].ID != tc.id) {
				t.Errorf("CSV import: issue %q and %d entries, want issue %q", issue, len(list.Entries), tc.issue)
			}
		})
	}
}

// codeOf is a validation error's code, "" for none.
func codeOf(err error) string {
	var ve *herald.ValidationError
	if errors.As(err, &ve) {
		return ve.Code
	}
	if err != nil {
		return "not a validation error: " + err.Error()
	}
	return ""
}
