package chart

import (
	"bytes"
	"image"
	"image/color"
	imgdraw "image/draw"
	"image/png"
	"math"
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

// withResponses is sample with a day of responses: most in the first
// hour, a second wave in the evening; fewer clicks than taps.
func withResponses() Data {
	d := sample()
	r := herald.ResponseTimeline{Start: d.Start, Bin: 15 * time.Minute, Taps: make([]int, 96), Clicks: make([]int, 96)}
	for i := range r.Taps {
		h := float64(i) / 4
		wave := 4000*math.Exp(-h/0.8) + 300*math.Exp(-(h-10)*(h-10)/2)
		r.Taps[i] = int(wave / 4)
		r.Clicks[i] = int(wave / 11)
	}
	d.Responses = &r
	return d
}

var labels = Labels{Title: "Spring sale — sent by channel", Rate: "Sent per 1 min", Cumulative: "Sent in total",
	Time: "Time (UTC)", Failed: "Failed", Responses: "Taps and clicks over the first 24 h", Hours: "Hours since sending began",
	People: "People in total", Tapped: "Tapped", Clicked: "Clicked"}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// rgba is img's pixels, 4 bytes each (R, G, B, A).
func rgba(img image.Image) []uint8 {
	if m, ok := img.(*image.RGBA); ok {
		return m.Pix
	}
	m := image.NewRGBA(img.Bounds())
	imgdraw.Draw(m, m.Bounds(), img, img.Bounds().Min, imgdraw.Src)
	return m.Pix
}

// variance of the image's grey levels: 0 for a blank one.
func variance(img image.Image) float64 {
	var s, s2, n float64
	pix := rgba(img)
	for i := 0; i+3 < len(pix); i += 4 {
		v := (float64(pix[i]) + float64(pix[i+1]) + float64(pix[i+2])) / 3 / 255
		s, s2, n = s+v, s2+v*v, n+1
	}
	m := s / n
	return s2/n - m*m
}

// brandColors are the channels' colours: LINE, Telegram, Messenger.
func brandColors() [][3]uint8 {
	return [][3]uint8{{0x06, 0xC7, 0x55}, {0x22, 0x9E, 0xD9}, {0xA3, 0x34, 0xFA}}
}

// rgb is c without its alpha.
func rgb(c color.Color) [3]uint8 {
	r, g, b, _ := c.RGBA()
	return [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
}

// colorsShown fails for each colour of cs no pixel of img has.
func colorsShown(t *testing.T, img image.Image, cs [][3]uint8) {
	t.Helper()
	want := map[[3]uint8]bool{}
	for _, c := range cs {
		want[c] = false
	}
	pix := rgba(img)
	for i := 0; i+3 < len(pix); i += 4 {
		if _, ok := want[[3]uint8(pix[i:i+3])]; ok {
			want[[3]uint8(pix[i:i+3])] = true
		}
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("no pixel of colour %x", c)
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

func sameImage(a, b image.Image) bool { return bytes.Equal(rgba(a), rgba(b)) }

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

// A responses timeline with nobody in it adds no panel.
func TestNoResponsesNoPanel(t *testing.T) {
	d := sample()
	d.Responses = &herald.ResponseTimeline{Start: d.Start, Bin: time.Hour, Taps: make([]int, 24), Clicks: make([]int, 24)}
	b, err := PNG(&d, &labels)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, b).Bounds().Dy(); got != HeightPx {
		t.Errorf("height %d, want %d", got, HeightPx)
	}
}

// BenchmarkPNG renders the run's chart alone (/run) and with a day of
// responses beneath (/day), reporting the PNG's size.
func BenchmarkPNG(b *testing.B) {
	for _, c := range []struct {
		name string
		data func() Data
	}{{"run", sample}, {"day", withResponses}} {
		b.Run(c.name, func(b *testing.B) {
			d := c.data()
			var size int
			for b.Loop() {
				out, err := PNG(&d, &labels)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.ReportMetric(float64(size), "png_bytes")
		})
	}
}
