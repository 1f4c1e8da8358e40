package adminchat

import (
	"context"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat/chart"
)

// Photos is a Surface that can also post an image: the report's chart.
// A frontend without it gets the report alone. name is a file name for
// platforms that show one (Slack) or store it (the console).
type Photos interface {
	Photo(ctx context.Context, origin herald.Origin, name string, png []byte, caption string) error
}

// Timelines reads what the report's chart draws (*storage.Store): a
// run's sent and failed outcomes per minute, and the people who first
// tapped and clicked its broadcast's buttons per bin.
type Timelines interface {
	RunTimeline(runID string) ([]herald.MinuteCount, error)
	ResponseTimeline(broadcastID string, start time.Time, bin time.Duration, n int) (herald.ResponseTimeline, error)
}

// The 24 h chart's responses panel: the first day from the run's start in
// 15-minute bins, fine enough for the first hour's climb.
const (
	responseWindow = 24 * time.Hour
	responseBin    = 15 * time.Minute
)

// postChart posts the run's chart to o after its report: the deliveries,
// and with day the people who tapped and clicked over the first 24 h
// (posted only when anyone did). It is best-effort: a chart that cannot
// be read, drawn or posted is logged once and the report stands alone.
func (r *Reporter) postChart(ctx context.Context, s Surface, o herald.Origin, v view, rep *herald.Report, day bool) {
	ph, ok := s.(Photos)
	if !ok || r.opts.Timelines == nil {
		return
	}
	png, err := r.drawChart(v, rep, day)
	if err == nil && png != nil {
		name, caption := chartFileName(rep.RunID, ""), "chart.caption"
		if day {
			name, caption = chartFileName(rep.RunID, "-24h"), "chart.caption_day"
		}
		err = ph.Photo(ctx, o, name, png, v.loc.T(caption, "Name", v.name, "ID", rep.BroadcastID))
	}
	if err != nil {
		r.opts.Logger.Warn("adminchat: post report chart", "run_id", rep.RunID, "frontend", o.Frontend, "error", err)
	}
}

// drawChart renders the run's chart in v's language; nil when there is
// nothing to draw: nothing sent or failed, or with day, nobody tapped or
// clicked.
func (r *Reporter) drawChart(v view, rep *herald.Report, day bool) ([]byte, error) {
	ms, err := r.opts.Timelines.RunTimeline(rep.RunID)
	if err != nil {
		return nil, err
	}
	d, ok := chart.FromTimeline(ms, flows.PlatformName, r.opts.Location)
	if !ok {
		return nil, nil
	}
	if day {
		start := rep.StartedAt
		if start.IsZero() {
			start = d.Start
		}
		rt, err := r.opts.Timelines.ResponseTimeline(rep.BroadcastID, start, responseBin, int(responseWindow/responseBin))
		if err != nil {
			return nil, err
		}
		if d.Responses = &rt; !d.Responded() {
			return nil, nil
		}
	}
	return chart.PNG(&d, chart.LabelsFor(v.loc, v.name, &d))
}

// chartFileName names a run's chart: "B-7K2Q-1-chart.png", with suffix
// before the extension.
func chartFileName(runID, suffix string) string {
	return strings.ReplaceAll(runID, "/", "-") + "-chart" + suffix + ".png"
}
