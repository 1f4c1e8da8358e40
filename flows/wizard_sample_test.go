package flows

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// sampleHarness is a harness with 200 more Telegram users (tag "fans") and
// seeds drawn 7, 8, 9…, so counts and draws are the same on every run.
func sampleHarness(t *testing.T) *harness {
	t.Helper()
	var mu sync.Mutex
	next := uint64(6)
	h := newHarness(t, func(c *Config) {
		c.NewSeed = func() uint64 {
			mu.Lock()
			defer mu.Unlock()
			next++
			return next
		}
	})
	subs := make([]herald.Subscriber, 200)
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.Telegram, ID: fmt.Sprint(5000 + i), Kind: herald.KindUser, Name: "Fan", State: herald.Subscribed, LastInteraction: t0}
		subs[i].SetTags([]string{"fans"})
	}
	if err := h.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	return h
}

// The audience step's "🎲 Sample or cap": presets and typed words, live
// counts, a cap above the audience, a holdout's control group, a new draw,
// mistakes; the summary shows the sample, and the stored broadcast keeps
// its seed.
func TestWizardSampleOrCap(t *testing.T) {
	h := sampleHarness(t)
	h.send("/new")
	h.send("Fan survey")
	h.press("ch:telegram")
	h.press(choiceDone)
	h.press("rk:users")
	mustContain(t, h.press("aud:sample"), "Send to a random part", "204 recipients")
	mustContain(t, h.press("smp:10%"), "About 10% of them, picked at random (draw 7)", "🎲 204 recipients → 18 (about 10%, random)", "👥 18 recipients")
	h.wantStep(stepAudience)
	h.press("aud:sample")
	mustContain(t, h.send("20%"), "About 20% of them, picked at random (draw 7)") // a new size keeps the draw
	h.press("aud:sample")
	mustContain(t, h.send("at most 5,000"), "The cap 5,000 is more than the 204 recipients: everyone gets it.")
	h.press("aud:sample")
	mustContain(t, h.send("at most 50"), "🎲 204 recipients → 50 (at most 50, random)")
	h.press("aud:sample")
	mustContain(t, h.send("0%"), "“0%” can't be a sample")
	mustContain(t, h.send("half of them"), "I couldn't read that")
	mustContain(t, h.press("smp:redraw"), "At most 50 of them, picked at random (draw 8)")
	mustContain(t, h.send("holdout 5%"), "All but a random control group of about 5%", "control group: about 5% = ")
	h.press(choiceDone)
	h.press("ct:text")
	h.send("How did we do?")
	h.press(choiceDone)
	h.press("tm:now")
	mustContain(t, h.press("sum:confirm"), "goes out to")
	h.golden("wizard_sample")

	b := h.stored()
	if s := b.Audience.Sample; s == nil || *s != (herald.Sample{HoldoutPercent: 5, Seed: 8}) {
		t.Errorf("stored sample %+v, want a 5%% holdout of draw 8", s)
	}
}

// The one-liner takes the same words: sample 10%, sample 250, holdout 5%;
// a bad one is pointed at.
func TestOneLineSample(t *testing.T) {
	h := sampleHarness(t)
	mustContain(t, h.send(`/new "Hi" on telegram sample 10% now`), "About 10% of them, picked at random (draw 7)", "🎲 204 recipients → 18 (about 10%, random)")
	h.press("sum:confirm")
	if s := h.stored().Audience.Sample; s == nil || *s != (herald.Sample{Percent: 10, Seed: 7}) {
		t.Errorf("stored sample %+v", s)
	}
	mustContain(t, h.send(`/new "Hi" on telegram to tag:fans sample 25 now`), "🎲 200 recipients → 25 (at most 25, random)")
	h.press(choiceCancel)
	h.press("wiz:discard")
	mustContain(t, h.send(`/new "Hi" holdout 5% on telegram now`), "control group: about 5% = ")
	h.press(choiceCancel)
	h.press("wiz:discard")
	mustContain(t, h.send(`/new "Hi" on telegram sample 150% now`), "“150%” is not a sample")
	mustContain(t, h.send(`/new "Hi" sample 10% holdout 5%`), "“holdout” is a second sample")
	h.golden("oneline_sample")
}

// A clone keeps the sample and its seed: the copy reaches the same people
// and keeps the same control group out; "🔀 Draw other people" is how to
// change them.
func TestCloneKeepsTheDraw(t *testing.T) {
	h := sampleHarness(t)
	h.send(`/new "Hi" on telegram holdout 5% now`)
	h.press("sum:confirm")
	b := h.stored()
	mustContain(t, h.send("/clone "+b.ID), "All but a random control group of about 5%, kept out for comparing (draw 7)")
	for _, x := range h.mustList() {
		if s := x.Audience.Sample; s == nil || *s != *b.Audience.Sample {
			t.Errorf("%s: sample %+v, want %+v", x.ID, s, b.Audience.Sample)
		}
	}
}

// /stats of a holdout compares its two groups since it went out: how many
// of those sent it, and of the control group, wrote or tapped since.
func TestStatsComparesTheHoldoutWithItsControlGroup(t *testing.T) {
	h := sampleHarness(t)
	h.send(`/new "Hi" on telegram holdout 10% now`)
	h.press("sum:confirm")
	b := h.stored()
	if err := h.store.CreateRun(&herald.Run{BroadcastID: b.ID, Status: herald.RunCompleted, StartedAt: t0.Add(time.Minute),
		Tally: map[herald.Platform]herald.Tally{herald.Telegram: {Sent: 180}}}); err != nil {
		t.Fatal(err)
	}
	// Half the fans come back an hour later.
	var back []herald.Subscriber
	var n [4]int // sent, sent and back, control, control and back
	for i := range 200 {
		k := herald.SubscriberKey{Platform: herald.Telegram, ID: fmt.Sprint(5000 + i)}
		g := 0
		if !b.Audience.Sample.Takes(k) {
			g = 2
		}
		n[g]++
		if i%2 == 0 {
			n[g+1]++
			s := herald.Subscriber{Platform: k.Platform, ID: k.ID, Kind: herald.KindUser, Name: "Fan", State: herald.Subscribed, LastInteraction: t0.Add(time.Hour)}
			s.SetTags([]string{"fans"})
			back = append(back, s)
		}
	}
	for i := range 4 { // the seed's four old Telegram users never came back
		if b.Audience.Sample.Takes(herald.SubscriberKey{Platform: herald.Telegram, ID: fmt.Sprint(1000 + i)}) {
			n[0]++
		} else {
			n[2]++
		}
	}
	if err := h.store.PutSubscribers(back); err != nil {
		t.Fatal(err)
	}
	h.advance(2 * time.Hour)
	want := fmt.Sprintf("sent %s (%d of %d) · control group %s (%d of %d)", Rate(n[1], n[0]), n[1], n[0], Rate(n[3], n[2]), n[3], n[2])
	mustContain(t, h.send("/stats "+b.ID), "🎲 Holdout (10% control group), since it went out, wrote to the bot or tapped a button in the chat (link clicks are not counted here): "+want)
	if n[2] == 0 || n[3] == 0 {
		t.Errorf("the control group is %d, %d of them back: the test draws too few", n[2], n[3])
	}
}

// A percent is drawn person by person, so before it is sent a sample, and
// an A/B test's share, is "about 10%" in every language: in the summary
// and in /show of the draft (the report after the run keeps the counts
// drawn).
func TestSampleIsAboutBeforeItIsSent(t *testing.T) {
	inEachLang(t, map[string][3]string{ // the audience's line, the count's, an A/B test's share
		"en":    {"About 10% of them, picked at random", "(about 10%, random)", "2 variants, about 10% of the audience each;"},
		"ja":    {"そのうち無作為に約 10%（抽選", "（約 10%、無作為）", "2 バリエーション、各約 10%。"},
		"zh-CN": {"其中随机约 10%（抽样", "（约 10%，随机）", "2 个版本，各占受众约 10%；"},
		"zh-TW": {"其中隨機約 10%（抽樣", "（約 10%，隨機）", "2 個版本，各占受眾約 10%；"},
	}, func(t *testing.T, h *harness, want [3]string) {
		mustContain(t, h.send(`/new "Hi" on telegram sample 10% now`), want[0], want[1])
		h.press("sum:draft")
		mustContain(t, h.send("/show "+h.stored().ID), want[0])
		h.send(`/new "Which is better?" on telegram now`)
		h.press("sum:ab")
		h.send("Or this?")
		mustContain(t, h.send("10% 2h"), want[2])
		h.press("sum:draft")
		bs := h.mustList()
		i := slices.IndexFunc(bs, func(b herald.Broadcast) bool { return b.Test != nil })
		if i < 0 {
			t.Fatal("the test was not saved")
		}
		mustContain(t, h.send("/show "+bs[i].ID), want[2])
	})
}
