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

// Every admin language draws a phone-sized, non-blank chart with the
// channels' colours, with a
// broadcast name in that language, and each draws differently (its words
// are its own, not a fallback).
func TestChartInEveryLanguage(t *testing.T) {
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"en": "Spring sale 🌸", "ja": "春のセール・限定クーポン", "zh-CN": "春季促销：限时优惠券", "zh-TW": "春季特賣：限時優惠券"}
	langs := []string{"en", "ja", "zh-CN", "zh-TW"}
	// The run's chart, and the 24 h one with the responses panel.
	kinds := []struct {
		name   string
		data   func() Data
		height int
		colors [][3]uint8
	}{{"run", sample, HeightPx, nil}, {"day", withResponses, TallHeightPx, [][3]uint8{rgb(tapColor), rgb(clickColor)}}}
	for _, k := range kinds {
		pngs := make([][]byte, len(langs))
		t.Run(k.name, func(t *testing.T) {
			for i, lang := range langs {
				t.Run(lang, func(t *testing.T) {
					t.Parallel() // a chart takes seconds under -race
					d := k.data()
					b, err := PNG(&d, LabelsFor(cat.Localizer(lang), names[lang], &d))
					if err != nil {
						t.Fatal(err)
					}
					img := decode(t, b)
					if got := img.Bounds().Size(); got != (image.Point{X: WidthPx, Y: k.height}) {
						t.Errorf("size %v", got)
					}
					if v := variance(img); v < 0.01 {
						t.Errorf("grey variance %.4f, looks blank", v)
					}
					colorsShown(t, img, append(brandColors(), k.colors...))
					pngs[i] = b
					t.Logf("%d bytes", len(b))
				})
			}
		})
		for i, b := range pngs {
			for j := range i {
				if bytes.Equal(pngs[j], b) {
					t.Errorf("%s: %s draws the same chart as %s", k.name, langs[i], langs[j])
				}
			}
			if *chartOut != "" {
				if err := os.WriteFile(filepath.Join(*chartOut, "chart-"+k.name+"-"+langs[i]+".png"), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
