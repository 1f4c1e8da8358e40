package chart

import (
	"bytes"
	"compress/gzip"
	_ "embed" // the CJK font
	"fmt"
	"io"
	"sync"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
)

// wqyMicroHei is WenQuanYi Micro Hei (Apache-2.0, see WQY-MICROHEI-LICENSE
// beside it), one face with every character it has: Latin, kana, Hangul
// and the 20,000+ CJK ideographs admins may type in a broadcast's name.
// The plotting library's own fonts have no CJK glyphs, and reading a
// system font would make the chart depend on the host. Gzipped it adds
// 1.8 MB to the binary instead of 3.8 MB; it is unpacked on the first
// chart only.
//
//go:embed wqy-microhei.ttf.gz
var wqyMicroHei []byte

// typeface names the embedded font in the plot's font cache.
const typeface = "WQY MicroHei"

// fonts is the parsed font and a text handler that draws with it.
type fonts struct {
	face    *opentype.Font
	handler text.Plain
}

func (f *fonts) font(size font.Length) font.Font {
	return font.Font{Typeface: typeface, Size: size}
}

// loadFonts unpacks and parses the font once per process: it is constant
// data, and ~40 ms of work better not repeated per chart.
var loadFonts = sync.OnceValues(func() (*fonts, error) {
	zr, err := gzip.NewReader(bytes.NewReader(wqyMicroHei))
	if err != nil {
		return nil, fmt.Errorf("chart: unpack font: %w", err)
	}
	ttf, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("chart: unpack font: %w", err)
	}
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("chart: parse font: %w", err)
	}
	cache := font.NewCache(font.Collection{{Font: font.Font{Typeface: typeface}, Face: f}})
	return &fonts{face: f, handler: text.Plain{Fonts: cache}}, nil
})
