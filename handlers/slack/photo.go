package slack

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Photo implements adminchat.Photos: the report's chart uploaded into the
// broadcast's thread (files.getUploadURLExternal, the bytes, then
// files.completeUploadExternal), the caption as its comment.
func (h *Handler) Photo(ctx context.Context, o herald.Origin, name string, png []byte, caption string) error {
	_, err := h.Post(ctx, o, flows.Reply{Text: caption, File: &flows.File{Name: name, ContentType: "image/png", Data: png}})
	return err
}
