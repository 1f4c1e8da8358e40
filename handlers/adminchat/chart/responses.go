package chart

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"

	"github.com/heraldbot/herald/flows"
)

// The responses panel answers what a community manager asks the day
// after: how many people did something with the broadcast, and how soon.
// It draws, per kind, the running count of different people who had
// tapped a button or opened a link, hour by hour from the run's start: a
// line that climbs steeply and flattens says most people who respond do
// so within the first hour, and its end is the number the report gives
// per button (as a rate over the run's sent deliveries in the legend).
// People rather than presses, because one person tapping five times is
// not five times the interest; running counts rather than counts per
// bin, because a day of 15-minute bins is mostly zeros and ones that
// read as noise on a phone.

// TallHeightPx is the image's height with the responses panel: a third
// of it more, so each panel keeps the height it has without it.
const TallHeightPx = 1000

// Each kind's line has a colour of its own, apart from the channels'.
var (
	tapColor   = color.RGBA{0xE8, 0x71, 0x0A, 0xff} // orange
	clickColor = color.RGBA{0x1F, 0x3A, 0x93, 0xff} // dark blue
)

// Responded reports whether d has a responses panel: anyone tapped or
// clicked.
func (d *Data) Responded() bool {
	r := d.Responses
	return r != nil && r.Bin > 0 && sum(r.Taps)+sum(r.Clicks) > 0
}

// responsesPlot is the responses panel: one running line per kind that
// anyone responded with, x in hours since the run's start.
func responsesPlot(d *Data, l *Labels, ff *fonts) (*plot.Plot, error) {
	p := newPlot(ff)
	p.Title.Text = l.Responses
	p.Title.TextStyle.Font = ff.font(labelSize + 3)
	p.Y.Label.Text = l.People
	p.X.Label.Text = l.Hours
	r := d.Responses
	bw := r.Bin.Hours()
	top := 0
	for _, k := range []struct {
		bins []int
		c    color.Color
	}{{r.Taps, tapColor}, {r.Clicks, clickColor}} {
		if sum(k.bins) == 0 {
			continue
		}
		ls, n, err := runningLine(k.bins, bw, k.c)
		if err != nil {
			return nil, fmt.Errorf("chart: responses: %w", err)
		}
		p.Add(ls)
		top = max(top, n)
	}
	p.X.Min, p.X.Max = 0, float64(max(len(r.Taps), len(r.Clicks)))*bw
	p.Y.Min, p.Y.Max = 0, math.Max(1, float64(top)*1.1)
	p.X.Tick.Marker = hourTicks{}
	p.Y.Tick.Marker = intTicks{}
	return p, nil
}

// responsesLegend names each line with how many people it ends at and
// their share of the run's sent deliveries.
func responsesLegend(d *Data, l *Labels, ff *fonts) plot.Legend {
	leg := newLegend(ff)
	sent := d.Sent()
	for _, k := range []struct {
		name string
		bins []int
		c    color.Color
	}{{l.Tapped, d.Responses.Taps, tapColor}, {l.Clicked, d.Responses.Clicks, clickColor}} {
		if n := sum(k.bins); n > 0 {
			leg.Add(k.name+"\n"+flows.FormatCount(n)+" · "+flows.Rate(n, sent), swatch{k.c})
		}
	}
	return leg
}

// hourTicks labels the hours since the start every 3 hours (every hour
// on a panel of 8 hours or less).
type hourTicks struct{}

// Ticks implements plot.Ticker.
func (hourTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 3.0
	if hi-lo <= 8 {
		step = 1
	}
	var out []plot.Tick
	for x := math.Ceil(lo/step) * step; x <= hi+1e-9; x += step {
		out = append(out, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'f', -1, 64)})
	}
	return out
}
