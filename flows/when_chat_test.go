package flows

import (
	"testing"

	"github.com/heraldbot/herald"
)

// The wizard and the one-line /new read the same words and say the same
// precise mistakes, in the admin's language, with examples from today.
func TestWizardAndOneLinerReadDatesTheSameWay(t *testing.T) {
	tomorrow := t0.In(zone("Asia/Taipei")).AddDate(0, 0, 1).Format("2006-01-02")
	tests := []struct {
		lang, in, mistake, want string
	}{
		{"en", "tomorrow 9am", "2027-02-31 09:00", "February has no day 31: it has 28 days in 2027."},
		{"ja", "明日 午前9時", "2027-02-31 09:00", "2027年の2月に31日はありません（28日までです）。"},
		{"zh-CN", "明天上午9点", "2027年2月31日 9点", "2027年2月没有31日（只到28日）。"},
		{"zh-TW", "明天上午9點", "今天 上午8點", "這個時間已經過去了（2026-11-23 08:00）。請選之後的時間，例如 " + tomorrow + " 09:00。"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			h := newHarness(t)
			h.send("/lang " + tt.lang)
			mustContain(t, h.send("/help"), tomorrow+" 09:00")
			h.walkTo(stepTiming)
			h.press("tm:at")
			mustContain(t, h.send(tt.mistake), tt.want)
			h.send(tt.in)
			h.wantStep(stepOperator)
			wizard := h.session().Draft.Schedule

			h.press(choiceCancel)
			h.press(choiceDiscard)
			h.send(`/new "Sale" at ` + tt.in)
			if got := h.session().Draft.Schedule; got.Kind != herald.SendAt || !got.At.Equal(wizard.At) || got.At.Format("2006-01-02T15:04") != tomorrow[:10]+"T01:00" {
				t.Fatalf("one-liner %+v, wizard %+v", got, wizard)
			}
			h.press(choiceCancel)
			h.press(choiceDiscard)
			mustContain(t, h.send(`/new "Sale" at `+tt.mistake), tt.want)
		})
	}
}
