package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/sequences"
)

// TestSlackMakesAndListsASequence: /herald sequence new in a channel
// opens a thread that walks through the sequence with buttons and typed
// replies, and /herald sequences lists it with its steps' figures.
func TestSlackMakesAndListsASequence(t *testing.T) {
	var svc *sequences.Service
	r := newRig(t, func(o *Options, _ *platformtest.Slack) {
		s, cat := flowsrig.Open(t, time.Now(), "U1")
		svc = sequences.New(sequences.Options{Store: s, Timing: schedule.StepTiming{Zones: schedule.NewZones(time.UTC)}})
		e, err := flows.New(flows.Config{Store: s, Catalog: cat, Channels: []herald.Platform{herald.LINE}, Sequences: svc})
		if err != nil {
			t.Fatal(err)
		}
		o.Flows = e
	})
	r.slash(alice, "sequence new")
	thread := r.last("is working with Herald").TS
	r.reply(alice, thread, "Slack drip")
	r.press(alice, r.last("What brings a person into the sequence?"), "sq:tag")
	r.reply(alice, thread, "VIP")
	r.press(alice, r.last("how long after the person enters"), "sd:3d 10:00")
	r.reply(alice, thread, "*Welcome* to the club")
	r.press(alice, r.last("Step 1 · Buttons"), "done")
	r.press(alice, r.last("Step 1 is saved: 3 days later at 10:00 their time."), "sq:done")
	r.press(alice, r.last("Exit tags: whoever gets one"), "skip")
	r.press(alice, r.last("Starts with: 🏷 the tag vip added"), "sq:on")
	r.last("is on: everyone its trigger brings in")
	all, err := svc.List()
	if err != nil || len(all) != 1 || all[0].Trigger.Tag != "vip" || all[0].Steps[0].Content.Text != "Welcome to the club" {
		t.Fatalf("saved %+v %v", all, err)
	}
	r.slash(alice, "sequences")
	list := r.last("3 days later at 10:00 their time: 0 waiting")
	if !strings.Contains(list.Text+list.Blocks, "Slack drip") {
		t.Errorf("/herald sequences: %s", list.Text)
	}
}
