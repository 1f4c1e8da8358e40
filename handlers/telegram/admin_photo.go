package telegram

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
)

// Photo implements adminchat.Photos: the report's chart as a photo
// (sendPhoto, shown inline, not as a file to download) in the admin chat
// the run reports to.
func (a *Admin) Photo(ctx context.Context, o herald.Origin, name string, png []byte, caption string) error {
	chat, err := strconv.ParseInt(o.ChatID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: admin: bad chat ID %q", o.ChatID)
	}
	_, err = a.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat, Caption: truncate(caption, maxCaption),
		Photo: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(png)}})
	if err != nil {
		return fmt.Errorf("telegram: admin: sendPhoto: %w", err)
	}
	return nil
}
