package clicks

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// Store is what the Tracker needs of storage.
type Store interface {
	// Broadcast returns a broadcast or herald.ErrNotFound: the targets.
	Broadcast(id string) (herald.Broadcast, error)
	// RecordClicks counts a batch of clicks in one transaction.
	RecordClicks(clicks []herald.Click) error
}

// Options tune a Tracker; zero values get defaults.
type Options struct {
	Now    func() time.Time
	Logger *slog.Logger
	// MaxBatch caps the clicks written per transaction (default 5000).
	MaxBatch int
	// Queue is how many clicks may wait for the writer (default 65536);
	// when it is full a redirect waits for room.
	Queue int
	// CacheFor is how long a broadcast's targets are kept in memory
	// (default one minute): an edited button's URL applies after that.
	CacheFor time.Duration
}

// Tracker makes tracked links for the dispatcher and answers them.
type Tracker struct {
	signer *Signer
	base   string
	store  Store
	opts   Options

	mu    sync.Mutex
	cache map[string]targets

	queue chan item
	done  chan struct{}
}

// targets are a broadcast's buttons and the links in its text, as read
// at: herald.TrackedLink numbers them.
type targets struct {
	buttons, links []herald.Button
	at             time.Time
}

// item is a click to write, or (done set) a marker Sync waits on.
type item struct {
	click herald.Click
	done  chan struct{}
}

// New returns a Tracker whose links start with baseURL (public_base_url)
// and starts its writer; Close stops it.
func New(store Store, secret []byte, baseURL string, opts Options) *Tracker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 5000
	}
	if opts.Queue <= 0 {
		opts.Queue = 65536
	}
	if opts.CacheFor <= 0 {
		opts.CacheFor = time.Minute
	}
	t := &Tracker{signer: NewSigner(secret), base: strings.TrimRight(baseURL, "/"), store: store, opts: opts,
		cache: map[string]targets{}, queue: make(chan item, opts.Queue), done: make(chan struct{})}
	go t.writeLoop()
	return t
}

// Link is the tracked URL of link number button of a broadcast (see
// herald.TrackedLink), for the recipient numbered seq:
// dispatch.Options.TrackLink.
func (t *Tracker) Link(broadcastID string, seq uint32, button int) string {
	return t.base + "/r/" + t.signer.token(link{broadcastID: broadcastID, seq: seq, button: button})
}

// Path is the route the Tracker answers, for an http.ServeMux.
const Path = "GET /r/{token}"

// ServeHTTP redirects a tracked link to its target and counts the
// click; anything it cannot vouch for is a 404. A HEAD, or a GET by a
// chat app's link-preview fetcher (the platforms fetch a link in a
// message's text to draw its preview, for every recipient's own link),
// is redirected alike but not counted: nobody opened the link.
func (t *Tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l, err := t.signer.parse(r.PathValue("token"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	id, target, ok := t.target(l)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodGet && !previewFetcher(r.UserAgent()) {
		t.queue <- item{click: herald.Click{BroadcastID: l.broadcastID, ButtonID: id, Seq: l.seq, At: t.opts.Now()}}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target, http.StatusFound)
}

// previewFetchers are the User-Agent marks of the link-preview fetchers
// of the platforms Herald sends to (Telegram; Meta's, which LINE's
// "line-poker" also names), and of the apps a link is most often pasted
// on into.
var previewFetchers = []string{"TelegramBot", "facebookexternalhit", "Facebot", "line-poker",
	"Slackbot", "Twitterbot", "Discordbot", "WhatsApp/", "SkypeUriPreview"}

// previewFetcher reports whether ua is a link-preview fetcher's.
func previewFetcher(ua string) bool {
	for _, f := range previewFetchers {
		if strings.Contains(ua, f) {
			return true
		}
	}
	return false
}

// target is the link's ID and URL from the stored broadcast.
func (t *Tracker) target(l link) (id, url string, ok bool) {
	now := t.opts.Now()
	t.mu.Lock()
	tg, hit := t.cache[l.broadcastID]
	t.mu.Unlock()
	if !hit || now.Sub(tg.at) > t.opts.CacheFor {
		b, err := t.store.Broadcast(l.broadcastID)
		if err != nil {
			return "", "", false
		}
		tg = targets{buttons: b.Content.Buttons, links: b.Content.TextLinks(), at: now}
		t.mu.Lock()
		t.cache[l.broadcastID] = tg
		t.mu.Unlock()
	}
	btn, ok := herald.TrackedLink(tg.buttons, tg.links, l.button)
	return btn.ID, btn.URL, ok
}

// Sync returns once every click counted before it is written.
func (t *Tracker) Sync() {
	done := make(chan struct{})
	t.queue <- item{done: done}
	<-done
}

// Close writes the clicks still queued and stops the writer; no request
// may come after it.
func (t *Tracker) Close() {
	close(t.queue)
	<-t.done
}

// writeLoop group-commits clicks like the inbound writer: it takes every
// click already queued (up to MaxBatch) into one transaction, so under a
// burst the batches grow by themselves.
func (t *Tracker) writeLoop() {
	defer close(t.done)
	batch := make([]herald.Click, 0, t.opts.MaxBatch)
	var waiting []chan struct{}
	for it := range t.queue {
		batch, waiting = add(batch[:0], waiting[:0], it)
	more:
		for len(batch) < t.opts.MaxBatch {
			select {
			case next, ok := <-t.queue:
				if !ok {
					break more
				}
				batch, waiting = add(batch, waiting, next)
			default:
				break more
			}
		}
		if len(batch) > 0 {
			if err := t.store.RecordClicks(batch); err != nil {
				t.opts.Logger.Error("clicks: write", "clicks", len(batch), "error", err)
			}
		}
		for _, d := range waiting {
			close(d)
		}
	}
}

func add(batch []herald.Click, waiting []chan struct{}, it item) ([]herald.Click, []chan struct{}) {
	if it.done != nil {
		return batch, append(waiting, it.done)
	}
	return append(batch, it.click), waiting
}
