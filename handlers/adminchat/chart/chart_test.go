package chart

import (
	"bytes"
	"image"
	"image/png"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/heraldbot/herald"
)

// sample is a 40-minute run on three channels with a burst of failures.
func sample() Data {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ms []herald.MinuteCount
	for i := range 40 {
		m := start.Add(time.Duration(i) * time.Minute)
		ms = append(ms, herald.MinuteCount{Minute: m, Platform: herald.LINE, Sent: 900 + 30*i})
		ms = append(ms, herald.MinuteCount{Minute: m, Platform: herald.Telegram, Sent: 600 - 10*i, Failed: i % 7 / 6 * 25})
		if i < 25 {
			ms = append(ms, herald.MinuteCount{Minute: m, Platform: herald.Messenger, Sent: 200})
		}
	}
	d, _ := FromTimeline(ms, func(p herald.Platform) string { return string(p) }, time.UTC)
	return d
}

var labels = Labels{Title: "Spring sale — sent by channel", Rate: "Sent per 1 min", Cumulative: "Sent in total",
	Time: "Time (UTC)", Failed: "Failed"}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// variance of the image's grey levels: 0 for a blank one.
func variance(img image.Image) float64 {
	var s, s2, n float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			v := float64(r+g+bl) / 3 / 0xffff
			s, s2, n = s+v, s2+v*v, n+1
		}
	}
	m := s / n
	return s2/n - m*m
}

func TestPNGIsPhoneSizedAndDrawn(t *testing.T) {
	d := sample()
	b, err := PNG(&d, &labels)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if got := img.Bounds().Size(); got != (image.Point{X: WidthPx, Y: HeightPx}) {
		t.Errorf("size = %v, want %dx%d", got, WidthPx, HeightPx)
	}
	if v := variance(img); v < 0.01 {
		t.Errorf("grey variance = %.4f: the chart looks blank", v)
	}
	// The brand colours of the stacked bars are in it.
	want := map[[3]uint8]bool{{0x06, 0xC7, 0x55}: false, {0x22, 0x9E, 0xD9}: false, {0xA3, 0x34, 0xFA}: false}
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			k := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
			if _, ok := want[k]; ok {
				want[k] = true
			}
		}
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("no pixel of channel colour %x", c)
		}
	}
}

func TestFromTimelineBinsLongRunsCoarser(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ms := []herald.MinuteCount{
		{Minute: start.Add(3 * time.Minute), Platform: herald.LINE, Sent: 5},
		{Minute: start.Add(26 * time.Hour), Platform: herald.LINE, Sent: 7, Failed: 1},
	}
	d, ok := FromTimeline(ms, func(p herald.Platform) string { return string(p) }, time.UTC)
	if !ok || d.Bin != 15*time.Minute || len(d.Failed) != 105 || d.Failed[104] != 1 || d.Channels[0].Sent[0] != 5 {
		t.Fatalf("FromTimeline = bin %v, %d bins, ok %v", d.Bin, len(d.Failed), ok)
	}
	if _, ok := FromTimeline(nil, nil, time.UTC); ok {
		t.Error("an empty timeline has a chart")
	}
}

// renderText draws s alone with the chart's font, as the chart does.
func renderText(t *testing.T, s string) image.Image {
	t.Helper()
	ff, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	c := vgimg.NewWith(vgimg.UseWH(300, 60), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	sty := text.Style{Color: image.Black.C, Font: ff.font(30), Handler: ff.handler}
	dc.FillText(sty, vg.Point{X: 10, Y: 15}, s)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return decode(t, buf.Bytes())
}

func sameImage(a, b image.Image) bool {
	bd := a.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// CJK text draws real glyphs: different words draw differently, and none
// draws like the missing-glyph box.
func TestCJKTextIsNotTofu(t *testing.T) {
	tofu := renderText(t, "\U0010FFFD\U0010FFFD") // private use: no glyph in any font
	seen := map[string]image.Image{}
	for _, s := range []string{"送信数", "发送数", "傳送數", "ハングル", "한국어"} {
		img := renderText(t, s)
		if variance(img) < 0.001 {
			t.Errorf("%q draws nothing", s)
		}
		if sameImage(img, tofu) {
			t.Errorf("%q draws as missing-glyph boxes", s)
		}
		for o, other := range seen {
			if sameImage(img, other) {
				t.Errorf("%q and %q draw the same", s, o)
			}
		}
		seen[s] = img
	}
}

// Broadcast names may use any common ideograph: the font has a glyph for
// nearly every one of the CJK Unified Ideographs block (and all kana).
func TestFontCoversCJK(t *testing.T) {
	ff, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	covered := func(lo, hi rune) (n, of int) {
		for r := lo; r <= hi; r++ {
			if i, err := ff.face.GlyphIndex(&buf, r); err == nil && i != 0 {
				n++
			}
			of++
		}
		return n, of
	}
	for _, c := range []struct {
		name   string
		lo, hi rune
		min    float64
	}{{"CJK Unified Ideographs U+4E00–9FA5", 0x4E00, 0x9FA5, 0.99}, {"hiragana", 0x3041, 0x3096, 0.95}, {"katakana", 0x30A1, 0x30FA, 0.95}} {
		n, of := covered(c.lo, c.hi)
		if float64(n)/float64(of) < c.min {
			t.Errorf("%s: %d of %d have a glyph", c.name, n, of)
		}
		t.Logf("%s: %d of %d", c.name, n, of)
	}
}

func BenchmarkPNG(b *testing.B) {
	d := sample()
	var size int
	for b.Loop() {
		out, err := PNG(&d, &labels)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "png_bytes")
}
