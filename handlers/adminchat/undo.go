package adminchat

import (
	"context"
	"sync"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Offers remembers the posted "goes out in N seconds… Press Undo"
// messages (flows.Reply.Undo). Once the broadcast's run starts, Undo can
// no longer take it back to draft, so the Reporter edits each such message to say it
// started and drops its buttons. The admin frontends record what they
// post; the Reporter reads it.
// With a Reporter that keeps progress messages (Options.ProgressMessages)
// the offers are kept there too, so a restart during the wait still edits
// them, and so does the instance that starts the run when another one
// posted the offer (several instances on one database).
type Offers struct {
	mu   sync.Mutex
	m    map[string][]offer // by broadcast ID, while nothing keeps them
	keep *keeper            // the Reporter's, once it has one
}

type offer struct {
	where herald.Origin // Frontend, ChatID (and ThreadID), UserID for the language
	ref   string
}

// NewOffers returns an empty record of undo offers.
func NewOffers() *Offers { return &Offers{m: map[string][]offer{}} }

// Offered records that the message ref in where offers to undo broadcast id.
func (o *Offers) Offered(id string, where herald.Origin, ref string) {
	if o == nil || id == "" || ref == "" {
		return
	}
	o.mu.Lock()
	keep := o.keep
	if keep == nil {
		o.m[id] = append(o.m[id], offer{where: where, ref: ref})
	}
	o.mu.Unlock()
	if keep != nil {
		keep.offered(id, where, ref)
	}
}

// keepIn has k keep the offers from now on.
func (o *Offers) keepIn(k *keeper) {
	if o == nil || k.recs.store == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.keep = k
}

// take removes and returns broadcast id's offers; fresh reads the kept
// ones from the store again (keeper.takeOffers).
func (o *Offers) take(id string, fresh bool) []offer {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	offs, keep := o.m[id], o.keep
	delete(o.m, id)
	o.mu.Unlock()
	if keep != nil {
		offs = append(offs, keep.takeOffers(id, fresh)...)
	}
	return offs
}

// closeOffers edits the undo offers of a broadcast whose run has started.
// The first event of a run this Reporter hears (fresh) also finds the
// offers another instance posted; later ones look in memory only.
func (r *Reporter) closeOffers(ctx context.Context, broadcastID string, fresh bool) {
	for _, of := range r.opts.Offers.take(broadcastID, fresh) {
		s, ok := r.opts.Surfaces[of.where.Frontend]
		if !ok {
			continue
		}
		loc := r.opts.Catalog.Localizer(r.lang(of.where))
		reply := flows.Reply{Text: loc.T("undo.started", "ID", broadcastID)}
		r.notices.GoJob(ctx, broadcastID, noticeTimeout, func(ctx context.Context) {
			if err := s.Edit(ctx, of.where, of.ref, reply); err != nil {
				r.opts.Logger.Warn("adminchat: close undo offer", "broadcast_id", broadcastID, "frontend", of.where.Frontend, "error", err)
			}
		})
	}
}
