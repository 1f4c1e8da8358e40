//go:build !race

package herald

import "testing"

// The dispatcher renders every recipient's copy: content without
// placeholders or formatting must cost no allocation to personalise or to
// flatten for LINE and Messenger.
func TestPlainContentCostsNoAllocation(t *testing.T) {
	c := Content{Kind: TextContent, Text: "Flash sale today, 20% off everything"}
	s := &Subscriber{Name: "Zoë"}
	if n := testing.AllocsPerRun(100, func() { _ = c.PersonalizeFor(s) }); n != 0 {
		t.Errorf("PersonalizeFor allocates %v times on plain content", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = PlainText(c.Text, c.Spans) }); n != 0 {
		t.Errorf("PlainText allocates %v times on plain text", n)
	}
}
