package herald

import "testing"

func TestPostbackRoundTrip(t *testing.T) {
	for _, tc := range []struct{ bid, button string }{
		{"B-7K2Q", "b1"},
		{"B-ZZZZZZZZ", "yes_please-2"},
		{"B-7K2Q", "abcdefghijklmnopqrstuvwxyz012345"}, // 32 characters
	} {
		data := EncodePostback(tc.bid, tc.button)
		if data == "" || len(data) > MaxPostbackLen {
			t.Fatalf("EncodePostback(%q, %q) = %q: want a payload of at most %d bytes", tc.bid, tc.button, data, MaxPostbackLen)
		}
		bid, button, ok := DecodePostback(data)
		if !ok || bid != tc.bid || button != tc.button {
			t.Errorf("DecodePostback(%q) = %q, %q, %v", data, bid, button, ok)
		}
	}
}

func TestPostbackRejects(t *testing.T) {
	for _, bad := range []string{"", "GET_STARTED", "hb1:", "hb1:B-7K2Q", "hb1:B-7K2Q:", "hb1:b-7k2q:b1",
		"hb1:B-7K2Q:has space", "hb2:B-7K2Q:b1", "hb1:B-7K2Q:b1:extra"} {
		if bid, button, ok := DecodePostback(bad); ok {
			t.Errorf("DecodePostback(%q) = %q, %q, true: want rejected", bad, bid, button)
		}
	}
	if got := EncodePostback("B-7K2Q", "héllo"); got != "" {
		t.Errorf("EncodePostback with a non-ASCII button ID = %q, want \"\"", got)
	}
	if got := EncodePostback("7k2q", "b1"); got != "" {
		t.Errorf("EncodePostback with a non-canonical broadcast ID = %q, want \"\"", got)
	}
}

func FuzzDecodePostback(f *testing.F) {
	f.Add("hb1:B-7K2Q:b1")
	f.Add("hb1:B-7K2Q:b1:x")
	f.Fuzz(func(t *testing.T, data string) {
		bid, button, ok := DecodePostback(data)
		if ok && EncodePostback(bid, button) != data {
			t.Fatalf("DecodePostback(%q) accepted a payload EncodePostback would not make", data)
		}
	})
}
