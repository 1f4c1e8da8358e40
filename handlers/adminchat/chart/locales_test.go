package chart

import (
	"bytes"
	"flag"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/heraldbot/herald/locales"
)

// -chart.out DIR keeps each language's chart for a person to look at.
var chartOut = flag.String("chart.out", "", "write each language's chart PNG into this directory")

// Every admin language draws a phone-sized, non-blank chart, with a
// broadcast name in that language, and each draws differently (its words
// are its own, not a fallback).
func TestChartInEveryLanguage(t *testing.T) {
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"en": "Spring sale 🌸", "ja": "春のセール・限定クーポン", "zh-CN": "春季促销：限时优惠券", "zh-TW": "春季特賣：限時優惠券"}
	var seen [][]byte
	for _, lang := range []string{"en", "ja", "zh-CN", "zh-TW"} {
		d := sample()
		b, err := PNG(&d, LabelsFor(cat.Localizer(lang), names[lang], &d))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		img := decode(t, b)
		if got := img.Bounds().Size(); got != (image.Point{X: WidthPx, Y: HeightPx}) {
			t.Errorf("%s: size %v", lang, got)
		}
		if v := variance(img); v < 0.01 {
			t.Errorf("%s: grey variance %.4f, looks blank", lang, v)
		}
		for _, o := range seen {
			if bytes.Equal(o, b) {
				t.Errorf("%s draws the same chart as another language", lang)
			}
		}
		seen = append(seen, b)
		t.Logf("%s: %d bytes", lang, len(b))
		if *chartOut != "" {
			if err := os.WriteFile(filepath.Join(*chartOut, "chart-"+lang+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
