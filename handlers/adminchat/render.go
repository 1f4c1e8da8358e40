package adminchat

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// barWidth is the progress bar's length in characters.
const barWidth = 20

// view is what a run's messages need besides its counts: the language of
// the broadcast's creator, the bot's timezone, and the broadcast.
type view struct {
	loc  *locales.Localizer
	zone *time.Location
	name string
	// via names the API client that made the broadcast, when it reports
	// in an admin chat it was not made in.
	via string
	// localTime is the wall-clock time ("09:00") of a broadcast sent at
	// each person's own time; "" for others.
	localTime string
	// buttons is what the broadcast's buttons did so far, for the report
	// (nil: not read).
	buttons *flows.ButtonStats
	// sample is the broadcast's audience sample, for the report (nil: none).
	sample *herald.Sample
	// account names an account in the report's breakdown.
	account func(herald.Account) string
}

// progressReply is the live progress message: title, bar, counts, who is
// held or waiting, rate and ETA, and the buttons that fit the run's
// status. The buttons are flows commands ("/pause B-7K2Q"), so a press is
// checked and audited by flows like a typed command.
func progressReply(v view, p *herald.Progress) flows.Reply {
	loc := v.loc
	sum := p.Sum()
	var b strings.Builder
	b.WriteString(loc.T("progress.title", "Name", v.name, "ID", p.BroadcastID, "Status", flows.RunStatusName(loc, p.Status)))
	if v.via != "" {
		b.WriteString("\n" + loc.T("progress.via_api", "Client", v.via))
	}
	if p.Total > 0 || p.Status == herald.RunCompleted { // a run that failed before it had recipients has no bar
		pct := p.Percent()
		if p.Status == herald.RunCanceled && p.Total > 0 {
			// Those never reached count as settled (skipped: canceled);
			// the bar of a canceled run shows what really went out.
			pct = 100 * float64(sum.Sent) / float64(p.Total)
		}
		b.WriteString("\n" + bar(pct))
		fmt.Fprintf(&b, " %d%%", int(math.Floor(pct)))
	}
	b.WriteString("\n")
	b.WriteString(loc.T("progress.counts", "Done", flows.FormatCount(sum.Done()), "Total", flows.FormatCount(p.Total),
		"Sent", flows.FormatCount(sum.Sent), "Failed", flows.FormatCount(sum.Failed), "Skipped", flows.FormatCount(sum.Skipped)))
	if line := accountsLine(v, p); line != "" {
		b.WriteString("\n" + line)
	}
	if p.Status == herald.RunSending && p.Due() > 0 {
		b.WriteString("\n" + rateLine(loc, p))
	}
	going := p.Status == herald.RunSending || p.Status == herald.RunPaused
	if p.Held > 0 && going {
		b.WriteString("\n" + loc.T("progress.held", "Held", flows.FormatCount(p.Held)))
	}
	if p.Waiting > 0 && !p.NextAt.IsZero() && going {
		b.WriteString("\n" + v.waitingLine(p))
	}
	if p.Status == herald.RunPaused {
		b.WriteString("\n" + pausedLine(loc, p))
	}
	r := flows.Reply{Text: b.String()}
	id := p.BroadcastID
	switch p.Status {
	case herald.RunSending, herald.RunSnapshotting:
		r.Choices = []flows.Choice{{ID: "/pause " + id, Label: loc.T("btn.pause")}, {ID: "/cancel " + id, Label: loc.T("btn.cancel_broadcast")}}
	case herald.RunPaused:
		r.Choices = []flows.Choice{{ID: "/resume " + id, Label: loc.T("btn.resume")}, {ID: "/cancel " + id, Label: loc.T("btn.cancel_broadcast")}}
		if sum.Failed > 0 { // the likely question before resuming: what failed?
			r.Choices = append(r.Choices, flows.Choice{ID: "/errors " + id, Label: loc.T("btn.errors")})
		}
	}
	return r
}

// rateLine is the speed and time left, or says they are being worked out
// (dispatch gives no rate until it has seen enough sending to tell).
func rateLine(loc *locales.Localizer, p *herald.Progress) string {
	switch {
	case p.Rate <= 0:
		return loc.T("progress.rate_unknown")
	case p.ETA <= 0:
		return loc.T("progress.rate_only", "Rate", formatRate(p.Rate))
	case p.Waiting > 0: // the ETA covers only those due now
		return loc.T("progress.rate_group", "Rate", formatRate(p.Rate), "ETA", flows.RoughDuration(loc, p.ETA))
	}
	return loc.T("progress.rate", "Rate", formatRate(p.Rate), "ETA", flows.RoughDuration(loc, p.ETA))
}

// waitingLine says who waits for their own time and when the next of
// them go out, in the bot's timezone and from now.
func (v view) waitingLine(p *herald.Progress) string {
	when := v.clock(p.NextAt, p.At)
	in := flows.RoughDuration(v.loc, max(0, p.NextAt.Sub(p.At)))
	n := flows.FormatCount(p.Waiting)
	if v.localTime != "" {
		return v.loc.T("progress.waiting_local", "Waiting", n, "Time", v.localTime, "When", when, "In", in)
	}
	return v.loc.T("progress.waiting_quiet", "Waiting", n, "When", when, "In", in)
}

// pausedLine says why a run is paused and what to do about it.
func pausedLine(loc *locales.Localizer, p *herald.Progress) string {
	a := p.AutoPause
	if a == nil { // a pause read back from the run, as stored
		if stored, ok := herald.ParseAutoPause(p.PauseReason); ok {
			a = &stored
		}
	}
	if a != nil && a.Finished > 0 {
		return loc.T("progress.auto_paused", "Failed", flows.FormatCount(a.Failed), "Finished", flows.FormatCount(a.Finished),
			"Percent", flows.Percent(float64(a.Failed)/float64(a.Finished)), "Limit", flows.Percent(a.Threshold))
	}
	if p.PauseReason != "" {
		return loc.T("progress.pause_reason", "Reason", p.PauseReason)
	}
	return loc.T("progress.paused_hint")
}

// reportReply is the final report: totals per channel, failure and skip
// reasons as dispatch grouped them, duration, and View errors / Clone.
func reportReply(v view, rep *herald.Report) flows.Reply {
	loc := v.loc
	var b strings.Builder
	b.WriteString(loc.T("report.title", "Name", v.name, "ID", rep.BroadcastID, "Status", flows.RunStatusName(loc, rep.Status)))
	if v.via != "" {
		b.WriteString("\n" + loc.T("progress.via_api", "Client", v.via))
	}
	if v.sample != nil {
		b.WriteString("\n" + loc.T("report.sample", "Sample", flows.SampleLine(loc, v.sample)))
		if line := flows.ControlLine(loc, v.sample, rep.Control); line != "" {
			b.WriteString("\n" + line)
		}
	}
	channels := 0
	for _, pl := range herald.Platforms {
		t, ok := rep.Channels[pl]
		if !ok || rep.Accounts != nil {
			continue
		}
		channels++
		b.WriteString("\n" + loc.T("report.channel", "Channel", flows.PlatformName(pl), "Sent", flows.FormatCount(t.Sent),
			"Failed", flows.FormatCount(t.Failed), "Skipped", flows.FormatCount(t.Skipped)))
	}
	channels += writeAccounts(&b, v, rep)
	sum := rep.Sum()
	if channels > 1 {
		b.WriteString("\n" + loc.T("report.total", "Sent", flows.FormatCount(sum.Sent),
			"Failed", flows.FormatCount(sum.Failed), "Skipped", flows.FormatCount(sum.Skipped)))
	}
	if sum.Uncertain > 0 {
		b.WriteString("\n\n" + loc.N("report.uncertain", sum.Uncertain, "Count", flows.FormatCount(sum.Uncertain)))
	}
	if rep.Status == herald.RunFailed && rep.PauseReason != "" {
		b.WriteString("\n\n" + loc.T("report.run_error", "Error", rep.PauseReason))
	}
	if len(rep.Failures) > 0 {
		b.WriteString("\n\n" + loc.T("report.failures"))
		writeReasons(&b, loc, rep.Failures)
	}
	if len(rep.Skips) > 0 {
		b.WriteString("\n\n" + loc.T("report.skips"))
		writeReasons(&b, loc, rep.Skips)
	}
	b.WriteString(buttonSection(v))
	b.WriteString("\n\n" + loc.T("report.duration", "Duration", exactDuration(loc, rep.Duration)))
	r := flows.Reply{Text: b.String()}
	if sum.HasFailures() {
		r.Choices = append(r.Choices, flows.Choice{ID: "/errors " + rep.BroadcastID, Label: loc.T("btn.errors")})
	}
	retryable := 0 // who a retry can reach: those who blocked the bot cannot be
	for _, f := range rep.Failures {
		if f.Reason != herald.ReasonBlocked {
			retryable += f.Count
		}
	}
	if retryable > 0 {
		r.Choices = append(r.Choices, flows.Choice{ID: "/retry " + rep.BroadcastID, Label: loc.T("btn.retry_failed", "Count", flows.FormatCount(retryable))})
	}
	r.Choices = append(r.Choices, flows.Choice{ID: "/clone " + rep.BroadcastID, Label: loc.T("btn.clone")})
	return r
}

func writeReasons(b *strings.Builder, loc *locales.Localizer, rs []herald.ReasonCount) {
	for _, rc := range rs {
		b.WriteString("\n" + loc.T("report.reason", "Count", flows.FormatCount(rc.Count), "Channel", flows.PlatformName(rc.Platform), "Reason", flows.ReasonName(loc, rc.Reason)))
	}
}

// bar draws pct (0–100) as a bar of barWidth blocks.
func bar(pct float64) string {
	full := min(barWidth, max(0, int(pct/100*barWidth)))
	return strings.Repeat("█", full) + strings.Repeat("░", barWidth-full)
}

// formatRate shows deliveries per second: one decimal while it is small
// (Telegram's 30/s), whole and grouped when large (LINE multicast).
func formatRate(r float64) string {
	if r >= 100 {
		return flows.FormatCount(int(math.Round(r)))
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// clock shows t in the bot's timezone: the time alone when it is on the
// same day as now there, else with the date.
func (v view) clock(t, now time.Time) string {
	lt, ln := t.In(v.zone), now.In(v.zone)
	layout := "15:04"
	if lt.Year() != ln.Year() || lt.YearDay() != ln.YearDay() {
		layout = "2006-01-02 15:04"
	}
	return lt.Format(layout) + " " + v.zone.String()
}

// exactDuration is a time taken, to the second under an hour: "53 s",
// "4 min 12 s", "1 h 5 min".
func exactDuration(loc *locales.Localizer, d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return loc.T("duration.s", "S", strconv.FormatInt(s, 10))
	case s < 3600 && s%60 != 0:
		return loc.T("duration.ms", "M", strconv.FormatInt(s/60, 10), "S", strconv.FormatInt(s%60, 10))
	}
	return flows.WholeMinutes(loc, s/60)
}
