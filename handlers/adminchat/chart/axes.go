package chart

import (
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/heraldbot/herald/flows"
)

// stack draws each bin's deliveries as one bar, a segment per channel.
type stack struct {
	d  *Data
	bw float64 // bin width in minutes, the x unit
}

// tops is the height of each bar.
func (s *stack) tops() []float64 {
	out := make([]float64, len(s.d.Failed))
	for _, ch := range s.d.Channels {
		for i, n := range ch.Sent {
			out[i] += float64(n)
		}
	}
	return out
}

func (s *stack) max() float64 {
	m := 0.0
	for _, t := range s.tops() {
		m = math.Max(m, t)
	}
	return m
}

// Plot implements plot.Plotter.
func (s *stack) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	gap := 0.12 * s.bw
	base := make([]float64, len(s.d.Failed))
	for _, ch := range s.d.Channels {
		col := colors[ch.Platform]
		for i, n := range ch.Sent {
			if n == 0 {
				continue
			}
			x0, x1 := trX(float64(i)*s.bw+gap/2), trX(float64(i+1)*s.bw-gap/2)
			if x1-x0 < 1 {
				x1 = x0 + 1
			}
			y0, y1 := trY(base[i]), trY(base[i]+float64(n))
			base[i] += float64(n)
			c.FillPolygon(col, c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}))
		}
	}
}

// timeTicks labels the x axis (minutes since Data.Start) with clock
// times in the bot's zone, at round steps; blank keeps the marks but not
// the labels (the upper panel shares the lower one's).
type timeTicks struct {
	d     *Data
	blank bool
}

// tickSteps are the tick spacings tried, in minutes, smallest first; each
// divides a day, so ticks fall on round clock times.
var tickSteps = []int{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440}

// Ticks implements plot.Ticker.
func (t timeTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/float64(s) <= 7 {
			step = s
			break
		}
	}
	layout := "15:04"
	if span > 18*60 {
		layout = "1/2 15:04"
	}
	start := t.d.Start.In(t.d.Location)
	midnight := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, t.d.Location)
	// the first round clock time at or after the start, in minutes since it
	m0 := start.Sub(midnight).Minutes()
	first := math.Ceil(m0/float64(step))*float64(step) - m0
	var out []plot.Tick
	for x := first; x <= hi+1e-9; x += float64(step) {
		if x < lo-1e-9 {
			continue
		}
		l := ""
		if !t.blank {
			l = t.d.Start.Add(time.Duration(x * float64(time.Minute))).In(t.d.Location).Format(layout)
		}
		out = append(out, plot.Tick{Value: x, Label: l})
	}
	return out
}

// intTicks are the library's value ticks without fractions (a count of
// people has none), labelled with digit grouping.
type intTicks struct{}

// Ticks implements plot.Ticker.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Label == "" || t.Value != math.Trunc(t.Value) {
			continue
		}
		t.Label = flows.FormatCount(int(t.Value))
		out = append(out, t)
	}
	return out
}

// failStyle marks a bin with failures: a red ▼ just above its bar.
var failStyle = draw.GlyphStyle{Color: failColor, Radius: 9, Shape: downTriangle{}}

// downTriangle is a filled ▼ whose tip sits a little above the point, so
// it points at the bar without covering it.
type downTriangle struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (downTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	tip := vg.Point{X: pt.X, Y: pt.Y + 3}
	p := vg.Path{}
	p.Move(tip)
	p.Line(vg.Point{X: tip.X - r*0.8, Y: tip.Y + 1.4*r})
	p.Line(vg.Point{X: tip.X + r*0.8, Y: tip.Y + 1.4*r})
	p.Close()
	c.SetColor(sty.Color)
	c.Fill(p)
}

// glyphThumb shows a glyph in the legend, centred.
type glyphThumb struct{ draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (g glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(g.GlyphStyle, vg.Point{X: c.Center().X, Y: c.Center().Y - 0.7*g.Radius - 3})
}
