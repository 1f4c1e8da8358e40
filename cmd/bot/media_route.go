package main

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/heraldbot/herald"
)

// addMediaRoutes serves images uploaded in admin chats at
// PublicBaseURL/media/ID: LINE and Messenger fetch a broadcast's images
// from there (Telegram gets the bytes).
func (a *app) addMediaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /media/{id}", func(w http.ResponseWriter, r *http.Request) {
		ct, data, err := a.store.Media(r.PathValue("id"))
		switch {
		case errors.Is(err, herald.ErrNotFound):
			http.NotFound(w, r)
			return
		case err != nil:
			a.logger.Error("media: read", "media_id", r.PathValue("id"), "error", err)
			http.Error(w, "cannot read the image", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		// IDs are never reused for other content.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(data)
	})
}
