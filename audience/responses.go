package audience

import (
	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// responseKey names the Seqs who responded to one button of a broadcast, or
// to any of its buttons when button is "".
type responseKey struct{ broadcast, button string }

// AddResponse records that subscriber seq tapped or clicked button of
// broadcastID, for the retarget terms (tapped:B-7K2Q[/button]). Storage
// calls it after each commit that counted a first tap or click, and for
// every stored one when the index is built. Seqs stay in these sets when a
// subscriber becomes unreachable: matching starts from the reachable ones.
func (x *Index) AddResponse(broadcastID, buttonID string, seq uint32) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.addResponse(responseKey{broadcastID, buttonID}, seq)
	x.addResponse(responseKey{broadcastID, ""}, seq)
}

func (x *Index) addResponse(k responseKey, seq uint32) {
	b := x.responses[k]
	if b == nil {
		b = roaring.New()
		x.responses[k] = b
	}
	b.Add(seq)
}

// Responded reports whether seq tapped or clicked a button of broadcastID
// (any when buttonID is ""): herald.Audience.MatchesWith's answer from the
// index.
func (x *Index) Responded(broadcastID, buttonID string, seq uint32) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	b := x.responses[responseKey{broadcastID, buttonID}]
	return b != nil && b.Contains(seq)
}

// filterResponses narrows r by the audience's retarget terms.
func (x *Index) filterResponses(r *roaring.Bitmap, rs []herald.Response) {
	for _, t := range rs {
		if r.IsEmpty() {
			return
		}
		b := x.responses[responseKey{t.BroadcastID, t.ButtonID}]
		switch {
		case t.Not && b != nil:
			r.AndNot(b)
		case !t.Not:
			andOrClear(r, b)
		}
	}
}
