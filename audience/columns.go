package audience

import "strings"

// Field is what a column of a subscriber file holds. Files come from other
// tools with their own wording, so each field has several header aliases;
// the wizard's ID list and the subscriber import read headers alike.
type Field string

// Fields of a subscriber file.
const (
	FieldPlatform Field = "platform"
	FieldID       Field = "id"
	FieldName     Field = "name"
	FieldTags     Field = "tags"
	FieldTimezone Field = "timezone"
	FieldLocale   Field = "locale"
	FieldAttr     Field = "attr" // attr.<key>: a user-defined attribute
)

var fieldAliases = map[string]Field{
	"platform": FieldPlatform, "channel": FieldPlatform,
	"id": FieldID, "user_id": FieldID, "userid": FieldID, "psid": FieldID, "chat_id": FieldID, "subscriber_id": FieldID,
	"name": FieldName, "display_name": FieldName, "displayname": FieldName,
	"tags": FieldTags, "tag": FieldTags, "labels": FieldTags,
	"timezone": FieldTimezone, "time_zone": FieldTimezone, "tz": FieldTimezone,
	"locale": FieldLocale, "language": FieldLocale, "lang": FieldLocale,
}

// FieldOf names the field a header cell stands for ("User ID" is FieldID,
// "attr.plan" is FieldAttr with key "plan"); "" when it is none of them.
func FieldOf(header string) (f Field, attrKey string) {
	t := strings.TrimSpace(header)
	if len(t) > len("attr.") && strings.EqualFold(t[:len("attr.")], "attr.") {
		// The key keeps its case: attributes are matched as written.
		return FieldAttr, strings.TrimSpace(t[len("attr."):])
	}
	h := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(t))
	return fieldAliases[h], ""
}

// Column is one recognised column of a header row.
type Column struct {
	Index int
	Field Field
	Attr  string // for FieldAttr
}

// HeaderColumns maps a header row to the columns it names; ok is false
// when the row names no ID column (it is then data, or a header of
// another wording).
func HeaderColumns(cells []string) (cols []Column, ok bool) {
	for i, c := range cells {
		f, attr := FieldOf(c)
		if f == "" || (f == FieldAttr && attr == "") {
			continue
		}
		cols = append(cols, Column{Index: i, Field: f, Attr: attr})
		ok = ok || f == FieldID
	}
	return cols, ok
}
