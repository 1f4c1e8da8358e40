package inbound

import "testing"

func TestKeywordsMatchWholeMessagesInEveryLanguage(t *testing.T) {
	k := NewKeywords(nil)
	for _, tc := range []struct {
		text   string
		kind   Kind
		locale string
	}{
		{"STOP", Unsubscribe, "en"},
		{"  stop! ", Unsubscribe, "en"},
		{"ＳＴＯＰ", Unsubscribe, "en"},
		{"Unsubscribe.", Unsubscribe, "en"},
		{"退訂", Unsubscribe, "zh-TW"},
		{"取消訂閱", Unsubscribe, "zh-TW"},
		{"退订", Unsubscribe, "zh-CN"},
		{"配信停止", Unsubscribe, "ja"},
		{"start", Subscribe, "en"},
		{"訂閱", Subscribe, "zh-TW"},
	} {
		kind, locale, ok := k.Match(tc.text)
		if !ok || kind != tc.kind || locale != tc.locale {
			t.Errorf("Match(%q) = %q, %q, %v; want %q, %q", tc.text, kind, locale, ok, tc.kind, tc.locale)
		}
	}
	for _, text := range []string{"", "please stop sending me this", "stopwatch", "STOP STOP", "退訂閱讀"} {
		if kind, _, ok := k.Match(text); ok {
			t.Errorf("Match(%q) = %q: an ordinary message must not be a keyword", text, kind)
		}
	}
}

func TestKeywordRepliesPickTheUsersLanguage(t *testing.T) {
	k := NewKeywords(nil)
	if got, want := k.Reply(Unsubscribe, "zh-Hant-TW", "en"), DefaultKeywords()[1].StopReply; got != want {
		// zh-Hant-TW has no exact set; its base language "zh" finds the first Chinese one.
		t.Errorf("Reply for zh-Hant-TW = %q, want %q", got, want)
	}
	if got, want := k.Reply(Unsubscribe, "ja-JP"), DefaultKeywords()[3].StopReply; got != want {
		t.Errorf("Reply for ja-JP = %q, want %q", got, want)
	}
	if got, want := k.Reply(Subscribe, "", "fr"), DefaultKeywords()[0].StartReply; got != want {
		t.Errorf("Reply for an unknown language = %q, want the first set's %q", got, want)
	}
}

func TestConfiguredStopWordsReplaceDefaults(t *testing.T) {
	k := NewKeywords(WithStopWords(DefaultKeywords(), map[string][]string{"en": {"HALT"}, "ko": {"수신거부"}}))
	if _, _, ok := k.Match("STOP"); ok {
		t.Error("STOP still unsubscribes after the English words were configured as HALT only")
	}
	if kind, _, ok := k.Match("halt"); !ok || kind != Unsubscribe {
		t.Error("the configured HALT does not unsubscribe")
	}
	if kind, locale, ok := k.Match("수신거부"); !ok || kind != Unsubscribe || locale != "ko" {
		t.Errorf("a new locale's word: got %q %q %v", kind, locale, ok)
	}
	if k.Reply(Unsubscribe, "ko") == "" {
		t.Error("a configured locale without its own text gets no confirmation")
	}
}
