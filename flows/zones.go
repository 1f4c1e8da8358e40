package flows

import (
	_ "embed"
	"path"
	"slices"
	"strings"

	"github.com/heraldbot/herald/locales"
)

// zoneList is the IANA time zones of the tz database's zone.tab and
// zone1970.tab (tzdata 2025b) plus UTC: what /tz suggests from. Other names
// time.LoadLocation knows (links such as "Asia/Calcutta") are still
// accepted; they are only never suggested.
//
//go:embed zones.txt
var zoneList string

// zones are zoneList's names, UTC first.
var zones = strings.Fields(zoneList)

// nearZone is the time zone an admin probably meant by s, or "": the same
// name in other case or with spaces ("america/new york"), a city alone
// ("tokyo"), or a typo of either ("Asia/Tokio", "Londn").
func nearZone(s string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "_")
	for _, z := range zones {
		if strings.EqualFold(z, s) || strings.EqualFold(path.Base(z), s) {
			return z
		}
	}
	if z := locales.Nearest(s, zones); z != "" {
		return z
	}
	if strings.Contains(s, "/") {
		return ""
	}
	cities := make([]string, len(zones))
	for i, z := range zones {
		cities[i] = path.Base(z)
	}
	if c := locales.Nearest(s, cities); c != "" {
		return zones[slices.Index(cities, c)]
	}
	return ""
}
