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

// progressReply is the live progress message: title, bar, counts, rate and
// ETA, and the buttons that fit the run's status. The buttons are flows
// commands ("/pause B-7K2Q"), so a press is checked and audited by flows
// like a typed command.
func progressReply(loc *locales.Localizer, name string, p *herald.Progress) flows.Reply {
	sum := p.Sum()
	var b strings.Builder
	b.WriteString(loc.T("progress.title", "Name", name, "ID", p.BroadcastID, "Status", runStatus(loc, p.Status)))
	b.WriteString("\n")
	b.WriteString(bar(p.Percent()))
	fmt.Fprintf(&b, " %d%%\n", int(math.Floor(p.Percent())))
	b.WriteString(loc.T("progress.counts", "Done", flows.FormatCount(sum.Done()), "Total", flows.FormatCount(p.Total),
		"Sent", flows.FormatCount(sum.Sent), "Failed", flows.FormatCount(sum.Failed), "Skipped", flows.FormatCount(sum.Skipped)))
	if p.Held > 0 {
		b.WriteString("\n" + loc.T("progress.held", "Held", flows.FormatCount(p.Held)))
	}
	if p.Status == herald.RunSending && p.Rate > 0 {
		eta := "—"
		if p.ETA > 0 {
			eta = p.ETA.Round(time.Second).String()
		}
		b.WriteString("\n" + loc.T("progress.rate", "Rate", strconv.FormatFloat(p.Rate, 'f', 1, 64), "ETA", eta))
	}
	if p.PauseReason != "" {
		b.WriteString("\n" + loc.T("progress.pause_reason", "Reason", p.PauseReason))
	}
	r := flows.Reply{Text: b.String()}
	id := p.BroadcastID
	switch p.Status {
	case herald.RunSending, herald.RunSnapshotting:
		r.Choices = []flows.Choice{{ID: "/pause " + id, Label: loc.T("btn.pause")}, {ID: "/cancel " + id, Label: loc.T("btn.cancel_broadcast")}}
	case herald.RunPaused:
		r.Choices = []flows.Choice{{ID: "/resume " + id, Label: loc.T("btn.resume")}, {ID: "/cancel " + id, Label: loc.T("btn.cancel_broadcast")}}
	}
	return r
}

// reportReply is the final report: totals per channel, failure and skip
// reasons as dispatch grouped them, duration, and View errors / Clone.
func reportReply(loc *locales.Localizer, name string, rep *herald.Report) flows.Reply {
	var b strings.Builder
	b.WriteString(loc.T("report.title", "Name", name, "ID", rep.BroadcastID, "Status", runStatus(loc, rep.Status)))
	for _, pl := range herald.Platforms {
		t, ok := rep.Channels[pl]
		if !ok {
			continue
		}
		b.WriteString("\n" + loc.T("report.channel", "Channel", flows.PlatformName(pl), "Sent", flows.FormatCount(t.Sent),
			"Failed", flows.FormatCount(t.Failed), "Skipped", flows.FormatCount(t.Skipped)))
	}
	if len(rep.Failures) > 0 {
		b.WriteString("\n\n" + loc.T("report.failures"))
		writeReasons(&b, loc, rep.Failures)
	}
	if len(rep.Skips) > 0 {
		b.WriteString("\n\n" + loc.T("report.skips"))
		writeReasons(&b, loc, rep.Skips)
	}
	b.WriteString("\n\n" + loc.T("report.duration", "Duration", rep.Duration.Round(time.Second).String()))
	r := flows.Reply{Text: b.String()}
	if rep.Sum().Failed > 0 {
		r.Choices = append(r.Choices, flows.Choice{ID: "/errors " + rep.BroadcastID, Label: loc.T("btn.errors")})
	}
	r.Choices = append(r.Choices, flows.Choice{ID: "/clone " + rep.BroadcastID, Label: loc.T("btn.clone")})
	return r
}

func writeReasons(b *strings.Builder, loc *locales.Localizer, rs []herald.ReasonCount) {
	for _, rc := range rs {
		b.WriteString("\n" + loc.T("report.reason", "Count", flows.FormatCount(rc.Count), "Channel", flows.PlatformName(rc.Platform), "Reason", reason(loc, rc.Reason)))
	}
}

// reason names the reasons admins act on; others (platform error codes)
// are shown as dispatch recorded them.
func reason(loc *locales.Localizer, r string) string {
	switch r {
	case herald.ReasonBlocked:
		return loc.T("reason.blocked")
	case herald.ReasonOutsideWindow:
		return loc.T("reason.outside_window")
	case herald.ReasonOperatorChat:
		return loc.T("reason.operator_chat")
	case herald.ReasonUnsubscribed:
		return loc.T("reason.unsubscribed")
	case herald.ReasonCanceled:
		return loc.T("reason.canceled")
	case "":
		return "—"
	}
	return r
}

func runStatus(loc *locales.Localizer, s herald.RunStatus) string {
	switch s {
	case herald.RunSnapshotting, herald.RunSending:
		return loc.T("status.sending")
	case herald.RunPaused:
		return loc.T("status.paused")
	case herald.RunCompleted:
		return loc.T("status.completed")
	case herald.RunCanceled:
		return loc.T("status.canceled")
	case herald.RunFailed:
		return loc.T("status.failed")
	}
	return string(s)
}

// bar draws pct (0–100) as a bar of barWidth blocks.
func bar(pct float64) string {
	full := min(barWidth, max(0, int(pct/100*barWidth)))
	return strings.Repeat("█", full) + strings.Repeat("░", barWidth-full)
}
