package platformtest

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestTelegramMessageEncodingMatchesEncodingJSON(t *testing.T) {
	msgs := []tgMessageJSON{
		{MessageID: 1, From: botUser("1:x"), Chat: TelegramChat{ID: 5, Type: "private", FirstName: "Ann"}, Date: 1700000000, Text: "plain"},
		{MessageID: 2, From: botUser("2:y"), Chat: TelegramChat{ID: -1001, Type: "supergroup", Title: "Ops \"team\"", Username: "ops"},
			Date: 1, EditDate: 2, Text: "línea\nnueva \\ <b> 日本 \u2028", ReplyMarkup: json.RawMessage(`{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`)},
		{MessageID: 3, From: botUser("3:z"), Chat: TelegramChat{ID: 7, Type: "private"}, Date: 1, MediaGroupID: "g1", Caption: "pic",
			Photo: []tgPhotoSize{{FileID: "f", FileUniqueID: "u", Width: 1, Height: 2, FileSize: 3}}},
		{MessageID: 4, From: botUser("4:w"), Chat: TelegramChat{ID: 7, Type: "private"}, Date: 1,
			Document: &tgDocument{FileID: "d", FileUniqueID: "u", FileName: "a.csv", MimeType: "text/plain", FileSize: 9}},
		{MessageID: 5, From: botUser("5:v"), Chat: TelegramChat{ID: 7, Type: "private"}, Date: 1, Text: "bad \xff utf8"},
	}
	for _, m := range msgs {
		var fast, slow any
		if err := json.Unmarshal(m.appendJSON(nil), &fast); err != nil {
			t.Fatalf("message %d: hand-written JSON does not parse: %v\n%s", m.MessageID, err, m.appendJSON(nil))
		}
		want, _ := json.Marshal(m)
		_ = json.Unmarshal(want, &slow)
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("message %d:\n got %s\nwant %s", m.MessageID, m.appendJSON(nil), want)
		}
	}
}
