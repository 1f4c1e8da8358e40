package flows

import (
	"testing"

	"github.com/heraldbot/herald"
)

// lineRequests must agree with dispatch/line, which cuts content into
// requests of 5 LINE messages (see its TestManyPicturesGoInOrderedParts
// and TestPicturesWithButtons).
func TestLineRequestsCountsWhatLINEIsSent(t *testing.T) {
	pics := func(n int) []herald.Image { return make([]herald.Image, n) }
	buttons := []herald.Button{{ID: "b", Label: "Go", Kind: herald.ActionButton}}
	for _, tc := range []struct {
		name string
		c    herald.Content
		want int
	}{
		{"text", herald.Content{Kind: herald.TextContent, Text: "hi", Buttons: buttons}, 1},
		{"card", herald.Content{Kind: herald.CardContent, Title: "t", Images: pics(1), Buttons: buttons}, 1},
		{"4 pictures and a caption", herald.Content{Kind: herald.ImageContent, Text: "x", Images: pics(4)}, 1},
		{"5 pictures, no caption", herald.Content{Kind: herald.ImageContent, Images: pics(5)}, 1},
		{"5 pictures and a caption", herald.Content{Kind: herald.ImageContent, Text: "x", Images: pics(5)}, 2},
		{"1 picture with buttons", herald.Content{Kind: herald.ImageContent, Text: "x", Images: pics(1), Buttons: buttons}, 1},
		{"9 pictures with buttons", herald.Content{Kind: herald.ImageContent, Images: pics(9), Buttons: buttons}, 2},
		{"10 pictures and a caption", herald.Content{Kind: herald.ImageContent, Text: "x", Images: pics(10)}, 3},
	} {
		if got := lineRequests(&tc.c); got != tc.want {
			t.Errorf("%s: %d LINE messages in a row, want %d", tc.name, got, tc.want)
		}
	}
}
