package api

import (
	"net/http"

	"github.com/heraldbot/herald"
)

// countAudience sizes an audience the way the admin wizard shows it.
func (s *Server) countAudience(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		Audience audienceJSON `json:"audience"`
		Category string       `json:"category"`
	}
	if !decode(w, r, &req) {
		return
	}
	a, err := s.audience(req.Audience)
	if err == nil {
		err = a.Validate()
	}
	cat := herald.Category(req.Category)
	if err == nil && cat != "" && cat != herald.Marketing && cat != herald.NonMarketing {
		err = &herald.ValidationError{Field: "category", Code: herald.CodeInvalid}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cat == "" {
		cat = herald.Marketing
	}
	c, err := s.opts.Store.Count(&a, cat, s.opts.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byPlatform := map[herald.Platform]int{}
	for p, n := range c.ByPlatform {
		byPlatform[p] = n
	}
	writeJSON(w, http.StatusOK, struct {
		Total         int                     `json:"total"`
		ByPlatform    map[herald.Platform]int `json:"by_platform"`
		Users         int                     `json:"users"`
		Groups        int                     `json:"groups"`
		OutsideWindow int                     `json:"outside_window"`
		BeforeSample  int                     `json:"before_sample,omitempty"`
		Control       int                     `json:"control,omitempty"`
	}{c.Total, byPlatform, c.Users, c.Groups, c.OutsideWindow, c.Before, c.Control})
}
