package platformtest

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// Block Kit limits a fake should enforce because real Slack refuses the
// whole message when one is broken (https://api.slack.com/reference/block-kit).
const (
	maxBlocks        = 50
	maxSectionText   = 3000
	maxHeaderText    = 150
	maxActions       = 25
	maxButtonText    = 75
	maxActionValue   = 2000
	maxActionIDBytes = 255
	maxSelectOptions = 100
	maxCheckboxes    = 10
	maxOptionText    = 75
	maxOptionValue   = 150
	maxPlaceholder   = 150
	maxContextItems  = 10
)

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackElement struct {
	Type string     `json:"type"`
	Text *slackText `json:"text"`
	// TextString is the text of a text object used as an element (a
	// context block's plain_text or mrkdwn), whose "text" is a string
	// rather than an object.
	TextString string `json:"-"`
	// Image elements (in a context block).
	ImageURL    string     `json:"image_url"`
	AltText     string     `json:"alt_text"`
	ActionID    string     `json:"action_id"`
	Value       string     `json:"value"`
	Style       string     `json:"style"`
	Placeholder *slackText `json:"placeholder"`
	// Date and time pickers.
	InitialDate string `json:"initial_date"`
	InitialTime string `json:"initial_time"`
	Timezone    string `json:"timezone"`
	// Select menus and checkboxes.
	Options        []slackOption `json:"options"`
	InitialOptions []slackOption `json:"initial_options"`
	InitialOption  *slackOption  `json:"initial_option"`
}

// UnmarshalJSON reads "text" as the object an element's label is, or as
// the string a text object's own text is (context blocks hold both
// kinds of element).
func (e *slackElement) UnmarshalJSON(data []byte) error {
	type plain slackElement
	var raw struct {
		*plain
		Text json.RawMessage `json:"text"`
	}
	raw.plain = (*plain)(e)
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	e.Text, e.TextString = nil, ""
	switch t := bytes.TrimSpace(raw.Text); {
	case len(t) == 0 || string(t) == "null":
	case t[0] == '"':
		return json.Unmarshal(t, &e.TextString)
	default:
		e.Text = &slackText{}
		return json.Unmarshal(t, e.Text)
	}
	return nil
}

// slackOption is an option of a select menu or of checkboxes.
type slackOption struct {
	Text  slackText `json:"text"`
	Value string    `json:"value"`
}

type slackBlock struct {
	Type      string          `json:"type"`
	BlockID   string          `json:"block_id"`
	Text      *slackText      `json:"text"`
	Fields    []slackText     `json:"fields"`
	Elements  []slackElement  `json:"elements"`
	Accessory *slackElement   `json:"accessory"`
	Element   json.RawMessage `json:"element"`
	Label     *slackText      `json:"label"`
}

// checkBlocks validates a blocks argument and returns it compacted, or the
// error code Slack answers ("invalid_blocks", "invalid_blocks_format").
func checkBlocks(raw string) (string, string) {
	if strings.TrimSpace(raw) == "" {
		return "", ""
	}
	var blocks []slackBlock
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return "", "invalid_blocks_format"
	}
	if len(blocks) > maxBlocks {
		return "", "invalid_blocks"
	}
	ids := map[string]bool{}
	for _, b := range blocks {
		if !validBlock(b) {
			return "", "invalid_blocks"
		}
		if b.BlockID != "" {
			if ids[b.BlockID] { // block_id must be unique within a message
				return "", "invalid_blocks"
			}
			ids[b.BlockID] = true
		}
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, []byte(raw))
	return buf.String(), ""
}

func validBlock(b slackBlock) bool {
	switch b.Type {
	case "section":
		if b.Text == nil && len(b.Fields) == 0 {
			return false
		}
		if b.Text != nil && (b.Text.Text == "" || len([]rune(b.Text.Text)) > maxSectionText) {
			return false
		}
		if b.Accessory != nil && !validElement(*b.Accessory) {
			return false
		}
	case "header":
		return b.Text != nil && b.Text.Type == "plain_text" && b.Text.Text != "" && len([]rune(b.Text.Text)) <= maxHeaderText
	case "actions":
		if len(b.Elements) == 0 || len(b.Elements) > maxActions {
			return false
		}
		ids := map[string]bool{}
		for _, e := range b.Elements {
			if !validElement(e) || (e.ActionID != "" && ids[e.ActionID]) {
				return false // action_id must be unique within its block
			}
			ids[e.ActionID] = true
		}
	case "input":
		return b.Label != nil && len(b.Element) > 0
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > maxContextItems {
			return false
		}
		for _, e := range b.Elements {
			if !validContextElement(e) {
				return false
			}
		}
	case "divider", "image", "rich_text", "file", "video", "markdown":
	default:
		return false
	}
	return true
}

func validElement(e slackElement) bool {
	if len(e.ActionID) > maxActionIDBytes || len(e.Value) > maxActionValue {
		return false
	}
	if p := e.Placeholder; p != nil && (p.Type != "plain_text" || p.Text == "" || len([]rune(p.Text)) > maxPlaceholder) {
		return false
	}
	switch e.Type {
	case "button":
		return e.Text != nil && e.Text.Type == "plain_text" && e.Text.Text != "" && len([]rune(e.Text.Text)) <= maxButtonText
	case "datepicker":
		return e.InitialDate == "" || validLayout("2006-01-02", e.InitialDate)
	case "timepicker":
		if e.Timezone != "" {
			if _, err := time.LoadLocation(e.Timezone); err != nil || e.Timezone == "Local" {
				return false
			}
		}
		return e.InitialTime == "" || validLayout("15:04", e.InitialTime)
	case "static_select", "multi_static_select":
		initial := e.InitialOptions
		if e.InitialOption != nil {
			initial = append(initial, *e.InitialOption)
		}
		return validOptions(e.Options, initial, maxSelectOptions, true)
	case "checkboxes", "radio_buttons":
		return validOptions(e.Options, e.InitialOptions, maxCheckboxes, false)
	}
	return e.Type != ""
}

// validContextElement checks an element of a context block: an image
// element or a text object, nothing interactive
// (https://docs.slack.dev/reference/block-kit/blocks/context-block).
func validContextElement(e slackElement) bool {
	switch e.Type {
	case "image":
		return e.ImageURL != "" && e.AltText != ""
	case "plain_text", "mrkdwn":
		return e.TextString != "" && len([]rune(e.TextString)) <= maxSectionText
	}
	return false
}

// validLayout reports whether s is exactly a time in layout ("9:00" is
// not "09:00": Slack wants the zero).
func validLayout(layout, s string) bool {
	t, err := time.Parse(layout, s)
	return err == nil && t.Format(layout) == s
}

// validOptions checks a menu's options and that every initial option is
// one of them, text and value alike (Slack refuses the message otherwise).
func validOptions(opts, initial []slackOption, max int, plainOnly bool) bool {
	if len(opts) == 0 || len(opts) > max {
		return false
	}
	values := map[string]slackOption{}
	for _, o := range opts {
		if o.Value == "" || len(o.Value) > maxOptionValue || o.Text.Text == "" || len([]rune(o.Text.Text)) > maxOptionText ||
			(plainOnly && o.Text.Type != "plain_text") || values[o.Value].Value != "" {
			return false
		}
		values[o.Value] = o
	}
	for _, o := range initial {
		if known, ok := values[o.Value]; !ok || known.Text != o.Text {
			return false
		}
	}
	return true
}
