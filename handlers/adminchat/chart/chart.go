// Package chart draws a run's report chart: deliveries over time, stacked
// by channel, failures marked, with the running total beneath and, once
// known, the people who tapped and clicked over the first 24 h, as a PNG
// sized for a phone. It has one job and no platform SDK: adminchat gives
// it the run's timeline and the words in the admin's language, and each
// frontend posts the bytes it returns.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// The image: 1200×675 px (16:9, what chat apps show whole), at 96 DPI,
// so 1 pt is 4/3 px; fonts are large because phones shrink it by ~3.
// With the responses panel it is taller (TallHeightPx).
const (
	WidthPx  = 1200
	HeightPx = 675
	dpi      = 96
)

// Labels are the chart's words in the admin's language.
type Labels struct {
	Title      string // e.g. the broadcast's name and what the chart shows
	Rate       string // the bars' axis: deliveries per bin
	Cumulative string // the lower panel's axis: the running total
	Time       string // the time axis (with its zone)
	Failed     string // the legend entry of failures

	// The responses panel's words (responses.go); unused without one.
	Responses string // its title: taps and clicks over the first 24 h
	Hours     string // its time axis: hours since the run started
	People    string // its value axis: people so far
	Tapped    string // the legend entry of people who tapped a button
	Clicked   string // the legend entry of people who opened a link
}

// LabelsFor are the words of d's chart in loc's language; name is the
// broadcast's.
func LabelsFor(loc *locales.Localizer, name string, d *Data) *Labels {
	zone := time.UTC
	if d.Location != nil {
		zone = d.Location
	}
	return &Labels{
		Title:      loc.T("chart.title", "Name", shorten(name, maxName)),
		Rate:       loc.T("chart.rate", "Minutes", int(d.Bin.Minutes())),
		Cumulative: loc.T("chart.total"),
		Time:       loc.T("chart.time", "Zone", zone.String()),
		Failed:     loc.T("chart.failed"),
		Responses:  loc.T("chart.responses"),
		Hours:      loc.T("chart.hours"),
		People:     loc.T("chart.people"),
		Tapped:     loc.T("chart.tapped"),
		Clicked:    loc.T("chart.clicked"),
	}
}

// maxName keeps a long broadcast name from running off the image.
const maxName = 36

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Channel is one platform's sent deliveries in each bin of a Data.
type Channel struct {
	Platform herald.Platform
	Name     string
	Sent     []int
}

// Data is a run's timeline in equal bins from Start.
type Data struct {
	Start    time.Time
	Bin      time.Duration
	Channels []Channel // in display order, only those with deliveries
	Failed   []int     // all channels together
	Location *time.Location
	// Responses, when set and not all zero, adds a panel beneath: the
	// people who tapped and clicked, from the run's start.
	Responses *herald.ResponseTimeline
}

// maxBins keeps bars wide enough to see on a phone: a longer run is
// binned coarser.
const maxBins = 120

// binSizes are the bin widths tried, smallest first.
var binSizes = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
	15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}

// FromTimeline bins a run's per-minute counts: per minute when the run
// took up to two hours, coarser after. name gives each platform's display
// name. ok is false when there is nothing to chart.
func FromTimeline(ms []herald.MinuteCount, name func(herald.Platform) string, loc *time.Location) (d Data, ok bool) {
	if len(ms) == 0 {
		return Data{}, false
	}
	first, last := ms[0].Minute, ms[0].Minute
	for _, m := range ms {
		if m.Minute.Before(first) {
			first = m.Minute
		}
		if m.Minute.After(last) {
			last = m.Minute
		}
	}
	bin := binSizes[len(binSizes)-1]
	for _, b := range binSizes {
		if int(last.Sub(first.Truncate(b))/b)+1 <= maxBins {
			bin = b
			break
		}
	}
	start := first.Truncate(bin)
	n := int(last.Sub(start)/bin) + 1
	d = Data{Start: start, Bin: bin, Failed: make([]int, n), Location: loc}
	sent := map[herald.Platform][]int{}
	for _, m := range ms {
		i := int(m.Minute.Sub(start) / bin)
		if sent[m.Platform] == nil {
			sent[m.Platform] = make([]int, n)
		}
		sent[m.Platform][i] += m.Sent
		d.Failed[i] += m.Failed
	}
	for _, p := range herald.Platforms {
		if s := sent[p]; s != nil && sum(s) > 0 {
			d.Channels = append(d.Channels, Channel{Platform: p, Name: name(p), Sent: s})
		}
	}
	return d, len(d.Channels) > 0 || sum(d.Failed) > 0
}

// Sent is how many deliveries were sent in all.
func (d *Data) Sent() int {
	n := 0
	for _, ch := range d.Channels {
		n += sum(ch.Sent)
	}
	return n
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// colors are the platforms' own brand colours, so admins know them at a
// glance; failures are red crosses.
var (
	colors = map[herald.Platform]color.Color{
		herald.LINE:      color.RGBA{0x06, 0xC7, 0x55, 0xff},
		herald.Telegram:  color.RGBA{0x22, 0x9E, 0xD9, 0xff},
		herald.Messenger: color.RGBA{0xA3, 0x34, 0xFA, 0xff},
	}
	failColor  = color.RGBA{0xD9, 0x1E, 0x18, 0xff}
	totalColor = color.RGBA{0x33, 0x33, 0x33, 0xff}
)

// PNG renders d as a WidthPx×HeightPx PNG, or WidthPx×TallHeightPx with
// the responses panel.
func PNG(d *Data, l *Labels) ([]byte, error) {
	if len(d.Failed) == 0 || d.Bin <= 0 {
		return nil, errors.New("chart: no data")
	}
	ff, err := loadFonts()
	if err != nil {
		return nil, err
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	bars, err := barsPlot(d, l, ff)
	if err != nil {
		return nil, err
	}
	total, err := totalPlot(d, l, ff)
	if err != nil {
		return nil, err
	}
	top := legend(d, l, ff)
	rows, legends, height := [][]*plot.Plot{{bars}, {total}}, []*plot.Legend{&top, nil}, HeightPx
	if d.Responded() {
		resp, err := responsesPlot(d, l, ff)
		if err != nil {
			return nil, err
		}
		leg := responsesLegend(d, l, ff)
		rows, legends, height = append(rows, []*plot.Plot{resp}), append(legends, &leg), TallHeightPx
	}
	c := vgimg.NewWith(vgimg.UseWH(WidthPx*vg.Inch/dpi, vg.Length(height)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(rows), Cols: 1, PadTop: 10, PadBottom: 8, PadLeft: 10, PadRight: 10, PadY: 10}
	canvases := plot.Align(rows, tiles, draw.Crop(dc, 0, -legendWidth, 0, 0))
	for i, row := range rows {
		cv := canvases[i][0]
		row[0].Draw(cv)
		// A legend has a column of its own on the right, beside its
		// panel, so it never hides the bars or lines.
		if legends[i] != nil {
			legends[i].Draw(draw.Crop(cv, cv.Max.X-cv.Min.X, legendWidth, 0, -30))
		}
	}
	bottom := canvases[1][0]
	// The grand total, large, beside the running total it ends.
	sty := bars.Title.TextStyle
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	bottom.FillText(sty, vg.Point{X: bottom.Max.X + 14, Y: bottom.Max.Y - 40}, flows.FormatCount(d.Sent()))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// newPlot is a plot whose every text uses the embedded CJK font.
func newPlot(ff *fonts) *plot.Plot {
	p := plot.New()
	p.TextHandler = ff.handler
	p.Title.TextStyle.Handler, p.Title.TextStyle.Font = ff.handler, ff.font(titleSize)
	p.Title.Padding = 8
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Handler, a.Label.TextStyle.Font = ff.handler, ff.font(labelSize)
		a.Tick.Label.Handler, a.Tick.Label.Font = ff.handler, ff.font(tickSize)
		a.Padding = 0
	}
	p.Add(plotter.NewGrid())
	return p
}

// Font sizes in points (×4/3 for pixels).
const (
	titleSize  = 24
	labelSize  = 17
	tickSize   = 16
	legendSize = 17
)

// barsPlot is the upper panel: deliveries per bin, stacked by channel,
// failures as red crosses above their bin.
func barsPlot(d *Data, l *Labels, ff *fonts) (*plot.Plot, error) {
	p := newPlot(ff)
	p.Title.Text = l.Title
	p.Y.Label.Text = l.Rate
	bw := d.Bin.Minutes()
	s := &stack{d: d, bw: bw}
	p.Add(s)
	if nf := sum(d.Failed); nf > 0 {
		top := s.tops()
		var pts plotter.XYs
		for i, f := range d.Failed {
			if f > 0 {
				pts = append(pts, plotter.XY{X: (float64(i) + 0.5) * bw, Y: top[i]})
			}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: failures: %w", err)
		}
		sc.GlyphStyle = failStyle
		p.Add(sc)
	}
	p.X.Min, p.X.Max = 0, float64(len(d.Failed))*bw
	p.Y.Min = 0
	p.Y.Max = math.Max(1, s.max()*1.15) // room for the failure marks
	p.X.Tick.Marker = timeTicks{d: d, blank: true}
	p.Y.Tick.Marker = intTicks{}
	return p, nil
}

// totalPlot is the lower panel: the running total of sent deliveries.
func totalPlot(d *Data, l *Labels, ff *fonts) (*plot.Plot, error) {
	p := newPlot(ff)
	p.Y.Label.Text = l.Cumulative
	p.X.Label.Text = l.Time
	bw := d.Bin.Minutes()
	perBin := make([]int, len(d.Failed))
	for _, ch := range d.Channels {
		for i, n := range ch.Sent {
			perBin[i] += n
		}
	}
	ls, cs, err := runningLine(perBin, bw, totalColor)
	if err != nil {
		return nil, fmt.Errorf("chart: total: %w", err)
	}
	ls.FillColor = color.NRGBA{0x33, 0x33, 0x33, 0x28}
	p.Add(ls)
	p.X.Min, p.X.Max = 0, float64(len(d.Failed))*bw
	p.Y.Min, p.Y.Max = 0, math.Max(1, float64(cs)*1.1)
	p.X.Tick.Marker = timeTicks{d: d}
	p.Y.Tick.Marker = intTicks{}
	return p, nil
}

// runningLine is the running sum of per-bin counts as a thick line from
// 0, each bin bw wide on the x axis; total is where it ends.
func runningLine(perBin []int, bw float64, c color.Color) (ls *plotter.Line, total int, err error) {
	pts := make(plotter.XYs, 0, len(perBin)+1)
	pts = append(pts, plotter.XY{})
	for i, n := range perBin {
		total += n
		pts = append(pts, plotter.XY{X: float64(i+1) * bw, Y: float64(total)})
	}
	if ls, err = plotter.NewLine(pts); err != nil {
		return nil, 0, err
	}
	ls.Color, ls.Width = c, 3
	return ls, total, nil
}

// legendWidth is the right-hand column the legends are drawn in.
const legendWidth = 140

// newLegend is a legend for the right-hand column, entries top down.
func newLegend(ff *fonts) plot.Legend {
	leg := plot.NewLegend()
	leg.TextStyle.Handler, leg.TextStyle.Font = ff.handler, ff.font(legendSize)
	leg.Top, leg.Left = true, true
	leg.XOffs = 8
	leg.ThumbnailWidth = 20
	leg.Padding = 6
	return leg
}

// legend names each channel and the failure mark, with their totals.
func legend(d *Data, l *Labels, ff *fonts) plot.Legend {
	leg := newLegend(ff)
	for _, ch := range d.Channels {
		leg.Add(ch.Name+"\n"+flows.FormatCount(sum(ch.Sent)), swatch{colors[ch.Platform]})
	}
	if nf := sum(d.Failed); nf > 0 {
		leg.Add(l.Failed+"\n"+flows.FormatCount(nf), glyphThumb{failStyle})
	}
	return leg
}

// swatch is a legend thumbnail: a filled square.
type swatch struct{ color.Color }

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.Color, c.ClipPolygonY([]vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}))
}
