package audience

// What follows is exported for the package's external tests only: the
// wizard reads a CSV upload with ParseIDs and keeps its IDs as they are;
// resolving them against known subscribers is what the tests check the
// parsed list with.

import "github.com/heraldbot/herald"

// maxUnknownListed is how many unknown IDs a report names.
const maxUnknownListed = 10

// KnownFunc reports whether id is a subscriber Herald already knows on the
// platform being resolved (someone who wrote to the bot). Storage or the
// index provides it; see Index.Reachable.
type KnownFunc func(id string) bool

// Resolution is what an upload amounts to on one platform: the report an
// admin sees before the list is used.
type Resolution struct {
	Platform herald.Platform
	// Accepted are the known IDs, unique, in file order: the Selected list.
	Accepted []string
	// Unknown counts IDs nobody on Platform has written from; UnknownIDs
	// names the first ten.
	Unknown    int
	UnknownIDs []string
	// OtherPlatform counts "platform:id" cells for another platform.
	OtherPlatform int
	// Duplicates, Malformed and MalformedCount carry over from parsing
	// (plus "line:U1" and "U1" both present, counted once here).
	Duplicates     int
	Malformed      []LineIssue
	MalformedCount int
	HeaderLine     int
	Columns        int
}

// Resolve keeps the entries of l that are known subscribers on p.
func (l IDList) Resolve(p herald.Platform, known KnownFunc) Resolution {
	res := Resolution{
		Platform: p, Duplicates: l.Duplicates, Malformed: l.Malformed,
		MalformedCount: l.MalformedCount, HeaderLine: l.HeaderLine, Columns: l.Columns,
	}
	seen := make(map[string]struct{}, len(l.Entries))
	for _, e := range l.Entries {
		if e.Platform != "" && e.Platform != p {
			res.OtherPlatform++
			continue
		}
		if _, dup := seen[e.ID]; dup {
			res.Duplicates++
			continue
		}
		seen[e.ID] = struct{}{}
		if !known(e.ID) {
			res.Unknown++
			if len(res.UnknownIDs) < maxUnknownListed {
				res.UnknownIDs = append(res.UnknownIDs, e.ID)
			}
			continue
		}
		res.Accepted = append(res.Accepted, e.ID)
	}
	return res
}

// Reachable reports whether the subscriber at key is indexed, i.e. known and
// still reachable: a KnownFunc for Resolve that needs no database read.
func (x *Index) Reachable(key herald.SubscriberKey) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.ids.get(key.Platform, key.ID)
	return ok
}
