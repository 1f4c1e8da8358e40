package platformtest

import (
	"bytes"
	"encoding/json"
	"strings"
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
)

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackElement struct {
	Type     string     `json:"type"`
	Text     *slackText `json:"text"`
	ActionID string     `json:"action_id"`
	Value    string     `json:"value"`
}

type slackBlock struct {
	Type     string          `json:"type"`
	BlockID  string          `json:"block_id"`
	Text     *slackText      `json:"text"`
	Fields   []slackText     `json:"fields"`
	Elements []slackElement  `json:"elements"`
	Element  json.RawMessage `json:"element"`
	Label    *slackText      `json:"label"`
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
	case "header":
		return b.Text != nil && b.Text.Type == "plain_text" && b.Text.Text != "" && len([]rune(b.Text.Text)) <= maxHeaderText
	case "actions":
		if len(b.Elements) == 0 || len(b.Elements) > maxActions {
			return false
		}
		for _, e := range b.Elements {
			if !validElement(e) {
				return false
			}
		}
	case "input":
		return b.Label != nil && len(b.Element) > 0
	case "context":
		return len(b.Elements) > 0
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
	if e.Type == "button" {
		return e.Text != nil && e.Text.Type == "plain_text" && e.Text.Text != "" && len([]rune(e.Text.Text)) <= maxButtonText
	}
	return e.Type != ""
}
