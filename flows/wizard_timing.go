package flows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
	"golang.org/x/text/width"
)

func askCategory(t *turn) error {
	t.prompt(t.T("wizard.category.ask"), ExpectChoice,
		t.choice("cat:marketing", t.T("category.marketing")),
		t.choice("cat:non", t.T("category.non_marketing")))
	return nil
}

func handleCategory(t *turn) error {
	switch t.pressed() {
	case "cat:marketing":
		t.sess.Draft.Category, t.sess.Draft.Tag = herald.Marketing, ""
		return t.sectionDone(stepTiming)
	case "cat:non":
		return t.goTo(stepMsgTag)
	}
	return t.fail(t.T("err.pick_choice"))
}

// msgTagKeys name Messenger's message tags in the admin's language.
var msgTagKeys = map[herald.MessageTag]string{
	herald.TagConfirmedEventUpdate: "msgtag.confirmed_event_update",
	herald.TagPostPurchaseUpdate:   "msgtag.post_purchase_update",
	herald.TagAccountUpdate:        "msgtag.account_update",
	herald.TagHumanAgent:           "msgtag.human_agent",
}

func askMsgTag(t *turn) error {
	var cs []Choice
	for i, tag := range herald.MessageTags {
		cs = append(cs, t.choice("mt:"+strconv.Itoa(i), t.T(msgTagKeys[tag])))
	}
	t.prompt(t.T("wizard.msgtag.ask"), ExpectChoice, cs...)
	return nil
}

func handleMsgTag(t *turn) error {
	i, err := strconv.Atoi(strings.TrimPrefix(t.pressed(), "mt:"))
	if !strings.HasPrefix(t.pressed(), "mt:") || err != nil || i < 0 || i >= len(herald.MessageTags) {
		return t.fail(t.T("err.pick_choice"))
	}
	t.sess.Draft.Category, t.sess.Draft.Tag = herald.NonMarketing, herald.MessageTags[i]
	return t.sectionDone(stepTiming)
}

func askTiming(t *turn) error {
	// Step 6 (category) is only asked when Messenger is a channel.
	n := 6
	if t.sess.Draft.Audience.HasChannel(herald.Messenger) {
		n = 7
	}
	t.prompt(t.T("wizard.timing.ask", "Step", n)+"\n"+t.quietLine(t.sess.Draft.Schedule.Quiet), ExpectChoice,
		t.choice("tm:now", t.T("timing.now", "Seconds", int(t.e.cfg.UndoDelay.Seconds()))),
		t.choice("tm:at", t.T("timing.at", "Zone", t.tz.String())),
		t.choice("tm:user", t.T("timing.user")),
		t.choice("tm:every", t.T("timing.every")),
		t.choice("tm:quiet", t.T("btn.quiet")))
	return nil
}

// timingTargets map the timing step's buttons that open a step of their
// own to that step ("tm:now" needs none).
var timingTargets = map[string]string{
	"tm:at": stepAt, "tm:user": stepLocal, "tm:every": stepRecurring, "tm:quiet": stepQuiet,
}

func handleTiming(t *turn) error {
	if step, ok := timingTargets[t.pressed()]; ok {
		return t.goTo(step)
	}
	switch t.pressed() {
	case "tm:now":
		t.setTiming(herald.Schedule{Kind: herald.SendNow})
		return t.timingDone()
	case "":
		// A date typed here ("tomorrow 9am", "明日 9:00") answers "at a
		// time" at once, with Back to this step.
		if _, werr := readWhen(t.text(), t.now, t.tz); werr == nil && t.in.File == nil {
			return t.goToWith(stepAt)
		}
	}
	return t.fail(t.T("err.pick_choice"))
}

func askAt(t *turn) error {
	example := t.exampleWhen()
	key := "wizard.at.ask"
	if t.sess.Step == stepLocal {
		key = "wizard.local.ask"
	}
	hint := &DateTimeHint{Initial: example, Zone: t.tz.String()}
	if t.sess.Step == stepLocal {
		hint.Zone = ""
	}
	t.promptReply(Reply{Text: t.T(key, "Zone", t.tz.String(), "Example", example), Expect: ExpectText, DateTime: hint})
	return nil
}

func handleAt(t *turn) error {
	if t.pressed() != "" {
		return t.fail(t.T("err.type_text"))
	}
	at, werr := readWhen(t.text(), t.now, t.tz)
	if werr != nil {
		return t.fail(t.whenMessage(werr))
	}
	msg := t.checkLead(at)
	if t.sess.Step == stepLocal {
		msg = t.checkLocalLead(at)
	}
	if msg != "" {
		return t.fail(msg)
	}
	if t.sess.Step == stepLocal {
		t.setTiming(herald.Schedule{Kind: herald.SendUserLocal, Local: at.Format(herald.LocalLayout)})
	} else {
		t.setTiming(herald.Schedule{Kind: herald.SendAt, At: at.UTC()})
	}
	return t.timingDone()
}

func askRecurring(t *turn) error {
	t.prompt(t.T("wizard.recurring.ask", "Until", t.exampleUntil()), ExpectText,
		t.choice("rc:0 9 * * *", t.T("recurring.daily")),
		t.choice("rc:0 9 * * 1-5", t.T("recurring.weekdays")),
		t.choice("rc:0 9 * * 1", t.T("recurring.monday")))
	return nil
}

func handleRecurring(t *turn) error {
	var until time.Time
	var runs int
	tz := t.tz
	expr, ok := strings.CutPrefix(t.pressed(), "rc:")
	if !ok {
		if t.pressed() != "" {
			return t.fail(t.T("err.pick_choice"))
		}
		zone, rhythm, err := cutCronZone(t.text(), t.tz)
		if err != nil {
			return t.fail(t.T("err.recurring.zone", "Zone", err.Error()))
		}
		tz = zone
		rhythm, end, hasEnd := cutRecurringEnd(rhythm)
		if hasEnd {
			if until, runs, ok = parseRecurringEnd(end, t.tz); !ok {
				return t.fail(t.T("err.recurring.end", "Until", t.exampleUntil()))
			}
		}
		if expr, ok = recurringCron(rhythm); !ok {
			return t.fail(t.T("err.recurring.format"))
		}
	}
	sched := herald.Schedule{Kind: herald.SendRecurring, Cron: "CRON_TZ=" + tz.String() + " " + expr, Until: until, MaxRuns: runs}
	if msg := t.timingLine(&sched, t.checkTiming(sched)); msg != "" {
		return t.fail(msg)
	}
	t.setTiming(sched)
	t.say(t.describeSchedule(&t.sess.Draft.Schedule))
	return t.timingDone()
}

// cutCronZone takes a leading "CRON_TZ=Asia/Tokyo" (or "TZ=…") off a typed
// rhythm: the rhythm then runs in that zone rather than the admin's. Zone
// names are case-sensitive in the tz database, so the error carries the
// name as typed.
func cutCronZone(s string, def *time.Location) (*time.Location, string, error) {
	s = strings.TrimSpace(s)
	first, rest, _ := strings.Cut(s, " ")
	// the prefix is matched in place: upper-casing the whole word could
	// change its length ("ı", "ſ") and cut the name at the wrong byte
	name, ok := "", false
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if len(first) >= len(p) && strings.EqualFold(first[:len(p)], p) {
			name, ok = first[len(p):], true
			break
		}
	}
	if !ok {
		return def, s, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, "", errors.New(name)
	}
	return loc, rest, nil
}

// cutRecurringEnd splits "daily 09:00 until 2026-12-31" or "weekdays 18:30
// 10 times" (or "10次", "10 回") into the rhythm and the end clause; the
// end date reads in Chinese and Japanese too ("直到 2026-12-31",
// "2026-12-31まで", see untilWords).
func cutRecurringEnd(s string) (rhythm, end string, ok bool) {
	lower := strings.ToLower(s)
	for _, w := range []string{" until ", "直到", "截至"} {
		if i := strings.LastIndex(lower, w); i > 0 {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:]), true
		}
	}
	f := strings.Fields(lower)
	if n := len(f); n >= 2 && strings.HasSuffix(f[n-1], "まで") {
		k := 1
		if f[n-1] == "まで" {
			k = 2
		}
		return strings.Join(strings.Fields(s)[:n-k], " "), strings.Join(f[n-k:], " "), true
	}
	if _, k := cutTimes(f); k > 0 {
		return strings.Join(strings.Fields(s)[:len(f)-k], " "), strings.Join(f[len(f)-k:], " "), true
	}
	return s, "", false
}

// timesWords end a recurring broadcast after so many runs, in any admin's
// language: "10 times", "10次" (Chinese), "10回" (Japanese).
var timesWords = []string{"times", "time", "次", "回"}

// cutTimes finds "N times" at the end of fields: N as typed (full-width
// digits folded) and how many fields it takes (0: none). A word that ends
// in 次 or 回 counts only with digits before it ("10回", not "一次").
func cutTimes(f []string) (num string, k int) {
	n := len(f)
	if n >= 2 && slices.Contains(timesWords, f[n-1]) {
		return width.Fold.String(f[n-2]), 2
	}
	if n == 0 {
		return "", 0
	}
	for _, w := range timesWords {
		num, ok := strings.CutSuffix(width.Fold.String(f[n-1]), w)
		if _, err := strconv.Atoi(num); ok && err == nil {
			return num, 1
		}
	}
	return "", 0
}

// untilWords say "until" before the date ("直到 2026-12-31"; also glued
// to it); Japanese says it after ("2026-12-31まで").
var untilWords = []string{"until", "直到", "截至"}

// untilDate is the date of an end written "until 2026-12-31", "直到
// 2026-12-31" or "2026-12-31まで" (the fields of it), as typed.
func untilDate(f []string) (string, bool) {
	one := strings.Join(f, "")
	for _, w := range untilWords {
		if d, ok := strings.CutPrefix(one, w); ok && d != "" && (len(f) == 2 || w != "until") {
			return d, true
		}
	}
	if d, ok := strings.CutSuffix(one, "まで"); ok && d != "" && len(f) <= 2 {
		return d, true
	}
	return "", false
}

// parseRecurringEnd reads "until 2026-12-31" (the whole day counts, in
// loc; see untilDate for its Chinese and Japanese forms) or "10 times"
// (see cutTimes).
func parseRecurringEnd(end string, loc *time.Location) (until time.Time, runs int, ok bool) {
	f := strings.Fields(strings.ToLower(end))
	if date, ok := untilDate(f); ok && len(f) <= 2 {
		day, err := time.ParseInLocation("2006-01-02", width.Fold.String(date), loc)
		if err != nil {
			return time.Time{}, 0, false
		}
		return day.AddDate(0, 0, 1).Add(-time.Second).UTC(), 0, true
	}
	num, k := cutTimes(f)
	n, err := strconv.Atoi(num)
	if k == 0 || k != len(f) || err != nil || n < 1 || n > 10_000 {
		return time.Time{}, 0, false
	}
	return time.Time{}, n, true
}

// dayKeys name weekdays in the admin's language, Sunday first.
var dayKeys = []string{"day.sun", "day.mon", "day.tue", "day.wed", "day.thu", "day.fri", "day.sat"}

// describeSchedule says when a broadcast goes out, in words, with the next
// three occurrences of a recurring one.
func (t *turn) describeSchedule(s *herald.Schedule) string {
	switch s.Kind {
	case herald.SendNow:
		if s.At.IsZero() {
			return t.N("schedule.now", int(t.e.cfg.UndoDelay.Seconds()))
		}
		return t.T("schedule.at", "When", t.when(s.At))
	case herald.SendAt:
		return t.T("schedule.at", "When", t.when(s.At))
	case herald.SendUserLocal:
		return t.T("schedule.user_local", "When", s.Local)
	case herald.SendRecurring:
		parts := []string{t.T("schedule.recurring", "Words", t.cronWords(s.Cron))}
		if !s.Until.IsZero() {
			parts = append(parts, t.T("schedule.until", "Date", s.Until.In(t.tz).Format("2006-01-02")))
		}
		if s.MaxRuns > 0 {
			parts = append(parts, t.N("schedule.times", s.MaxRuns))
		}
		out := t.joinClauses("text.clause", parts...)
		if sched, err := schedule.ParseCron(s.Cron, t.e.cfg.Location); err == nil {
			next := t.now
			var times []string
			for i := 0; i < 3 && (s.MaxRuns == 0 || i < s.MaxRuns); i++ {
				next = sched.Next(next)
				if next.IsZero() || (!s.Until.IsZero() && next.After(s.Until)) {
					break
				}
				times = append(times, t.when(next))
			}
			if len(times) > 0 {
				out += "\n" + t.T("schedule.next", "Times", t.joinClauses("text.semicolon", times...))
			}
		}
		return out
	}
	return t.T("schedule.unset")
}

// cronWords describes common cron shapes in words; others are shown as typed.
func (t *turn) cronWords(spec string) string {
	expr := spec
	if strings.HasPrefix(expr, "CRON_TZ=") {
		if _, rest, ok := strings.Cut(expr, " "); ok {
			expr = rest
		}
	}
	words := t.cronShape(expr)
	if zone, ok := strings.CutPrefix(spec, "CRON_TZ="); ok {
		if zone, _, _ = strings.Cut(zone, " "); zone != t.tz.String() {
			words += " " + t.T("cron.zone", "Zone", zone)
		}
	}
	return words
}

// cronShape names a five-field expression's rhythm in words.
func (t *turn) cronShape(expr string) string {
	f := strings.Fields(expr)
	if len(f) != 5 {
		return t.T("cron.custom", "Expr", expr)
	}
	m, errM := strconv.Atoi(f[0])
	h, errH := strconv.Atoi(f[1])
	if errM != nil || errH != nil || f[3] != "*" {
		return t.T("cron.custom", "Expr", expr)
	}
	clock := fmt.Sprintf("%02d:%02d", h, m)
	dom, dow := f[2], f[4]
	switch {
	case dom == "*" && dow == "*":
		return t.T("cron.daily", "Time", clock)
	case dom == "*" && dow == "1-5":
		return t.T("cron.weekdays", "Time", clock)
	case dom == "*" && len(dow) == 1 && dow[0] >= '0' && dow[0] <= '6':
		return t.T("cron.weekly", "Day", t.T(dayKeys[dow[0]-'0']), "Time", clock)
	case dow == "*":
		if d, err := strconv.Atoi(dom); err == nil {
			return t.T("cron.monthly", "Day", d, "Time", clock)
		}
	}
	return t.T("cron.custom", "Expr", expr)
}

func askOperator(t *turn) error {
	t.prompt(t.T("wizard.operator.ask"), ExpectChoice,
		t.choice("op:hold", t.T("operator.hold")),
		t.choice("op:end", t.T("operator.end")))
	return nil
}

func handleOperator(t *turn) error {
	switch t.pressed() {
	case "op:hold":
		t.sess.Draft.EndOperatorChats = false
	case "op:end":
		t.sess.Draft.EndOperatorChats = true
	default:
		return t.fail(t.T("err.pick_choice"))
	}
	return t.toSummary()
}
