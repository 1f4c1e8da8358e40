package herald

import (
	"encoding/json"
	"testing"
)

func TestParseAccountAndKeys(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Account
		ok   bool
	}{
		{"line", Account{Platform: LINE}, true},
		{"LINE:Shop", Account{Platform: LINE, Name: "shop"}, true},
		{"tg/vip-bot", Account{Platform: Telegram, Name: "vip-bot"}, true},
		{"fb@page_2", Account{Platform: Messenger, Name: "page_2"}, true},
		{"line · support", Account{Platform: LINE, Name: "support"}, true},
		{"line:", Account{}, false},
		{"line:9lives", Account{}, false},
		{"sms:shop", Account{}, false},
	} {
		got, err := ParseAccount(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAccount(%q) = %+v, %v; want %+v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
	}
	for _, k := range []SubscriberKey{{Platform: LINE, ID: "U1"}, {Platform: Telegram, Account: "shop", ID: "-1001"}} {
		back, err := ParseSubscriberKey(k.String())
		if err != nil || back != k {
			t.Errorf("%s reads back as %+v, %v", k, back, err)
		}
	}
	if s := (SubscriberKey{Platform: LINE, ID: "U1"}).String(); s != "line:U1" {
		t.Errorf("a default account's key is %q, want line:U1 as before accounts", s)
	}
	b, err := json.Marshal(map[Account]int{{Platform: LINE}: 1, {Platform: LINE, Name: "shop"}: 2})
	if err != nil || string(b) != `{"line":1,"line:shop":2}` {
		t.Errorf("accounts as JSON keys: %s, %v", b, err)
	}
}
