package adminchat

import (
	"context"
	"strings"

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

// Timelines reads a run's sent and failed outcomes per minute, for the
// report's chart (*storage.Store).
type Timelines interface {
	RunTimeline(runID string) ([]herald.MinuteCount, error)
}

// postChart posts the run's chart after its report. It is best-effort:
// a chart that cannot be read, drawn or posted is logged once and the
// report stands alone.
func (r *Reporter) postChart(ctx context.Context, st *runState, rep *herald.Report) {
	ph, ok := r.surface(st).(Photos)
	if !ok || r.opts.Timelines == nil {
		return
	}
	png, caption, err := r.drawChart(st, rep)
	if err == nil && png != nil {
		err = ph.Photo(ctx, st.origin, chartFileName(rep.RunID), png, caption)
	}
	if err != nil {
		r.opts.Logger.Warn("adminchat: post report chart", "run_id", rep.RunID, "frontend", st.origin.Frontend, "error", err)
	}
}

// drawChart renders the run's chart in its creator's language; nil when
// nothing was sent or failed.
func (r *Reporter) drawChart(st *runState, rep *herald.Report) (png []byte, caption string, err error) {
	ms, err := r.opts.Timelines.RunTimeline(rep.RunID)
	if err != nil {
		return nil, "", err
	}
	d, ok := chart.FromTimeline(ms, flows.PlatformName, r.opts.Location)
	if !ok {
		return nil, "", nil
	}
	v := r.viewOf(st)
	png, err = chart.PNG(&d, chart.LabelsFor(v.loc, v.name, &d))
	return png, v.loc.T("chart.caption", "Name", v.name, "ID", rep.BroadcastID), err
}

// chartFileName names a run's chart: "B-7K2Q-1-chart.png".
func chartFileName(runID string) string {
	return strings.ReplaceAll(runID, "/", "-") + "-chart.png"
}
