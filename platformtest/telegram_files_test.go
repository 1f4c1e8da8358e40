package platformtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestTelegramPhotosDocumentsAndFiles(t *testing.T) {
	f := newTgFixture(t, "/telegram") // mounted, as in the combined server
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\nfake image")
	msg, err := f.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 8, Caption: "New menu",
		Photo: &models.InputFileUpload{Filename: "menu.png", Data: bytes.NewReader(png)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Photo) == 0 || msg.Caption != "New menu" {
		t.Fatalf("photo message = %+v", msg)
	}
	file, err := f.bot.GetFile(ctx, &bot.GetFileParams{FileID: msg.Photo[len(msg.Photo)-1].FileID})
	if err != nil {
		t.Fatal(err)
	}
	if got := download(t, f.bot.FileDownloadLink(file)); !bytes.Equal(got, png) {
		t.Errorf("downloaded %q, want the uploaded photo", got)
	}

	f.fake.AddFile(tgToken, "DOC1", "audience.csv", []byte("user_id\n1\n2\n"))
	doc, err := f.bot.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 8, Document: &models.InputFileString{Data: "DOC1"}})
	if err != nil || doc.Document == nil || doc.Document.FileName != "audience.csv" {
		t.Fatalf("document by file_id = %+v, %v", doc, err)
	}
	file, err = f.bot.GetFile(ctx, &bot.GetFileParams{FileID: "DOC1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := download(t, f.bot.FileDownloadLink(file)); string(got) != "user_id\n1\n2\n" {
		t.Errorf("downloaded %q", got)
	}
	if _, err := f.bot.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 8, Document: &models.InputFileString{Data: "NOPE"}}); !errors.Is(err, bot.ErrorBadRequest) ||
		!strings.Contains(err.Error(), "wrong file identifier/HTTP URL specified") {
		t.Errorf("unknown file_id: %v", err)
	}
	res, err := http.Get(f.url + "/file/bot" + tgToken + "/documents/missing.csv")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("missing file: %d", res.StatusCode)
	}

	album, err := f.bot.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: 8, Media: []models.InputMedia{
		&models.InputMediaPhoto{Media: "attach://a.png", MediaAttachment: bytes.NewReader(png), Caption: "one"},
		&models.InputMediaPhoto{Media: "https://example.com/b.jpg"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(album) != 2 || album[0].MediaGroupID == "" || album[0].MediaGroupID != album[1].MediaGroupID || album[1].ID != album[0].ID+1 {
		t.Errorf("album = %+v", album)
	}
	got := f.rec.To("telegram", "8")
	if len(got) != 3 || got[0].Content != "[photo:upload:menu.png:18] New menu" || !strings.HasPrefix(got[2].Content, "[album] ") {
		t.Errorf("deliveries = %+v", got)
	}
}

func download(t *testing.T, link string) []byte {
	t.Helper()
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", link, res.StatusCode)
	}
	b, _ := io.ReadAll(res.Body)
	return b
}
