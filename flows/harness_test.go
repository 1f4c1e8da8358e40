package flows

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/storage"
)

var update = flag.Bool("update", false, "rewrite golden transcripts in testdata/")

// t0 is the tests' "now": a Monday morning in Taipei.
var t0 = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

// harness is one admin talking to a real Engine over a real bbolt file.
type harness struct {
	t      *testing.T
	path   string
	store  testStore
	events *noticeLog // what the broadcasts service published
	eng    *Engine
	cfg    Config
	mu     sync.Mutex
	now    time.Time
	user   string
	script strings.Builder // the transcript so far
}

func newHarness(t *testing.T, tweak ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "herald.db"), now: t0, user: "alice", events: &noticeLog{}}
	h.open()
	seed(t, h.store)
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	taipei, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatal(err)
	}
	h.cfg = Config{
		Store: h.store, Catalog: cat, Channels: herald.Platforms, Location: taipei,
		Now: h.clock,
	}
	for _, f := range tweak {
		f(&h.cfg)
	}
	h.newEngine()
	t.Cleanup(func() { _ = h.store.Close() })
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

func (h *harness) open() {
	h.t.Helper()
	s, err := storage.Open(h.path, storage.Options{Now: h.clock})
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.store = s
}

func (h *harness) newEngine() {
	h.t.Helper()
	h.cfg.Store = h.store
	svc, err := broadcasts.New(broadcasts.Options{Store: h.store, Events: h.events, MinLeadTime: h.cfg.MinLeadTime,
		UndoDelay: h.cfg.UndoDelay, ApprovalThreshold: h.cfg.ApprovalThreshold, Location: h.cfg.Location, Now: h.cfg.Now, Quota: h.cfg.Quota})
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := h.cfg
	cfg.Broadcasts = svc
	e, err := New(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.eng = e
}

// restart closes and reopens the database and builds a fresh Engine, as a
// process restart would.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.store.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
	h.newEngine()
}

func (h *harness) do(in Input) []Reply {
	h.t.Helper()
	in.Frontend, in.ChatID, in.UserID, in.UserName = "console", "chat", h.user, strings.ToUpper(h.user[:1])+h.user[1:]
	rs, err := h.eng.Handle(context.Background(), in)
	if err != nil {
		h.t.Fatalf("Handle(%+v): %v", in, err)
	}
	for _, r := range rs {
		texts := []string{r.Text}
		for _, c := range r.Choices {
			texts = append(texts, c.Label)
		}
		for _, text := range texts {
			if strings.Contains(text, "<no value>") || rawKey.MatchString(text) {
				h.t.Errorf("reply shows a template gap or a raw message key: %q", text)
			}
		}
		for _, c := range r.Choices {
			if len(c.ID) > MaxChoiceID || c.ID == "" {
				h.t.Errorf("choice %q has an ID of %d bytes; Telegram takes 1–64", c.Label, len(c.ID))
			}
		}
	}
	h.script.WriteString(renderTranscript(in, rs))
	return rs
}

// send types text; press presses a choice by ID; upload sends a file.
func (h *harness) send(text string) []Reply { h.t.Helper(); return h.do(Input{Text: text}) }
func (h *harness) press(id string) []Reply {
	h.t.Helper()
	if !h.offered(id) {
		h.t.Fatalf("choice %q is not offered now; session offers %v", id, h.offeredIDs())
	}
	return h.do(Input{Choice: id})
}
func (h *harness) upload(name, ct string, data []byte) []Reply {
	h.t.Helper()
	return h.do(Input{File: &File{Name: name, ContentType: ct, Data: data}})
}

func (h *harness) session() session {
	h.t.Helper()
	data, err := h.store.Session("console:chat:" + h.user)
	if err != nil {
		return session{}
	}
	var s session
	if err := json.Unmarshal(data, &s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) offeredIDs() []string {
	var ids []string
	for _, c := range h.session().Offered {
		ids = append(ids, c.ID)
	}
	return ids
}

func (h *harness) offered(id string) bool {
	if strings.HasPrefix(id, "/") {
		return true
	}
	for _, c := range h.session().Offered {
		if c.ID == id {
			return true
		}
	}
	return false
}

// last is the text of all replies joined, for "contains" checks.
func joined(rs []Reply) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n")
}

func mustContain(t *testing.T, rs []Reply, want ...string) {
	t.Helper()
	got := joined(rs)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q; got:\n%s", w, got)
		}
	}
}

func (h *harness) step() string { return h.session().Step }

func (h *harness) wantStep(step string) {
	h.t.Helper()
	if got := h.step(); got != step {
		h.t.Fatalf("at step %q, want %q", got, step)
	}
}

// rawKey spots a message key shown instead of its text (a key missing
// from a catalog renders as itself).
var rawKey = regexp.MustCompile(`\b(?:broadcast|access|approval|err|wizard|btn|aud|summary|schedule|cron|count|kind|status|degrade|done|test|testme|whoami|timing|msgtag|recurring|operator|recipients|category|day|action|confirm|help|lang|list|log|show|usage|tz|errors|find|clone|draft|edit|session|syntax|button|run|seq)\.[a-z_]+\b`)

var idRe = regexp.MustCompile(`B-[2-9A-Z]{4,8}\b`)

// renderTranscript prints an exchange like the console does, with IDs
// masked so golden files stay stable.
func renderTranscript(in Input, rs []Reply) string {
	var b strings.Builder
	switch {
	case in.Choice != "":
		fmt.Fprintf(&b, "> [%s]\n", in.Choice)
	case in.File != nil:
		fmt.Fprintf(&b, "> /upload %s\n", in.File.Name)
	default:
		fmt.Fprintf(&b, "> %s\n", in.Text)
	}
	for _, r := range rs {
		for _, l := range strings.Split(idRe.ReplaceAllString(r.Text, "B-XXXX"), "\n") {
			b.WriteString("  " + l + "\n")
		}
		for _, c := range r.Choices {
			mark := ""
			if c.Checked {
				mark = "✓ "
			}
			fmt.Fprintf(&b, "    (%s) %s%s\n", idRe.ReplaceAllString(c.ID, "B-XXXX"), mark, idRe.ReplaceAllString(c.Label, "B-XXXX"))
		}
		if r.File != nil {
			fmt.Fprintf(&b, "    📎 %s\n", idRe.ReplaceAllString(r.File.Name, "B-XXXX"))
		}
		if p := r.Preview; p != nil {
			fmt.Fprintf(&b, "    👁 %s: %q", p.Recipient.Key(), p.Content.Text)
			for _, k := range p.Content.Cards {
				fmt.Fprintf(&b, " 🃏%q", k.Title)
			}
			for _, bt := range p.Content.Buttons {
				fmt.Fprintf(&b, " [%s]", bt.Label)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// golden compares the transcript with testdata/NAME.golden (-update rewrites).
func (h *harness) golden(name string) {
	h.t.Helper()
	path := filepath.Join("testdata", name+".golden")
	got := h.script.String()
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			h.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatalf("%v (run go test ./flows -run %s -update to create it)", err, h.t.Name())
	}
	if got != string(want) {
		h.t.Errorf("transcript differs from %s (rerun with -update and review the diff):\n%s", path, lineDiff(string(want), got))
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

// testStore is the real store as the tests use it.
type testStore interface {
	Store
	broadcasts.Store
	Close() error
	PutSubscribers(subs []herald.Subscriber) error
	CreateRun(r *herald.Run) error
	AddDeliveries(runID string, ds []herald.Delivery) error
	RecordOutcomes(runID string, ds []herald.Delivery) error
	SettleInFlight(runID string, ds []herald.Delivery, uncertain bool) error
}

// seed fills the store with a small known audience.
func seed(t *testing.T, s testStore) {
	t.Helper()
	recent, old := t0.Add(-2*time.Hour), t0.Add(-60*24*time.Hour)
	var subs []herald.Subscriber
	add := func(p herald.Platform, id string, kind herald.SubscriberKind, last time.Time, tags []string, attrs map[string]string) {
		sub := herald.Subscriber{Platform: p, ID: id, Kind: kind, Name: "User " + id, LastInteraction: last, FirstSeen: old, State: herald.Subscribed, Attributes: attrs}
		sub.SetTags(tags)
		subs = append(subs, sub)
	}
	for i := range 6 {
		add(herald.LINE, fmt.Sprintf("U%03d", i), herald.KindUser, recent, []string{"vip"}, map[string]string{"city": "Taipei"})
	}
	subs[len(subs)-1].OperatorChat = true // the wizard asks about operator chats when its audience has one
	for i := range 4 {
		add(herald.Telegram, fmt.Sprintf("%d", 1000+i), herald.KindUser, old, []string{"churned"}, nil)
	}
	add(herald.Telegram, "-100200", herald.KindGroup, recent, nil, nil)
	add(herald.Messenger, "P1", herald.KindUser, recent, []string{"vip"}, nil)
	add(herald.Messenger, "P2", herald.KindUser, old, []string{"vip", "churned"}, nil)
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatalf("seed subscribers: %v", err)
	}
}

// stored returns the only broadcast in the store.
func (h *harness) stored() herald.Broadcast {
	h.t.Helper()
	bs, err := h.store.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil {
		h.t.Fatal(err)
	}
	if len(bs) != 1 {
		h.t.Fatalf("store has %d broadcasts, want 1", len(bs))
	}
	return bs[0]
}

func (h *harness) mustList() []herald.Broadcast {
	h.t.Helper()
	bs, err := h.store.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil {
		h.t.Fatal(err)
	}
	return bs
}
