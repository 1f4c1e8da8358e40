package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// makeDatabase fills a database through the storage API with several
// kinds of records (enough subscribers for branch pages, a media file
// long enough for overflow pages) and closes it.
func makeDatabase(t *testing.T, path string) {
	t.Helper()
	s, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	subs := make([]herald.Subscriber, 3000)
	for i := range subs {
		p := []herald.Platform{herald.LINE, herald.Telegram, herald.Messenger}[i%3]
		subs[i] = herald.Subscriber{Platform: p, ID: fmt.Sprintf("U%07d", i), Kind: herald.KindUser,
			Name: fmt.Sprintf("Display Name %d", i), Locale: "en", Timezone: "Asia/Taipei",
			Tags: herald.NormalizeTags([]string{"vip", fmt.Sprintf("t%d", i%7)}), State: herald.Subscribed,
			Attributes: map[string]string{"city": "Taipei"}}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.PutSubscribers(subs))
	for i := range 12 {
		b := herald.Broadcast{Name: fmt.Sprintf("Broadcast %d", i), Origin: herald.Origin{Frontend: "slack", ChatID: "C1", UserID: "U1"},
			Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}},
			Content:  herald.Content{Text: strings.Repeat("Hello there. ", 20)}}
		must(s.CreateBroadcast(&b))
		if i < 3 {
			must(s.CreateRun(&herald.Run{BroadcastID: b.ID, Status: herald.RunSnapshotting}))
		}
		must(s.Audit(herald.AuditEntry{At: time.Now(), Actor: "slack:U1", Action: "create", Target: b.ID}))
	}
	for i := range 30 {
		must(s.PutSession(fmt.Sprintf("slack:C1:U%d", i), bytes.Repeat([]byte{'s'}, 200)))
	}
	must(s.SaveAdmin(herald.Admin{Key: "slack:U1", Name: "Alice"}))
	_, err = s.PutMedia("image/png", bytes.Repeat([]byte("PNG image bytes "), 2000))
	must(err)
}

// pageMap is where a bbolt file keeps what: its page size, the current
// meta's freelist and root pages, and every page id by type.
type pageMap struct {
	size                 int
	freelist, root       int
	branch, leaf, others []int
}

func mapPages(t *testing.T, data []byte) pageMap {
	t.Helper()
	le := binary.LittleEndian
	m := pageMap{size: int(le.Uint32(data[16+8:]))}
	meta := func(id int) (txid, root, freelist, hw uint64) {
		b := data[id*m.size+16:]
		return le.Uint64(b[48:]), le.Uint64(b[16:]), le.Uint64(b[32:]), le.Uint64(b[40:])
	}
	tx0, root, fl, hw := meta(0)
	if tx1, r1, f1, h1 := meta(1); tx1 > tx0 {
		root, fl, hw = r1, f1, h1
	}
	m.root, m.freelist = int(root), int(fl)
	for id := 2; id < int(hw); id++ {
		h := data[id*m.size:]
		switch le.Uint16(h[8:]) {
		case 0x01:
			m.branch = append(m.branch, id)
		case 0x02:
			m.leaf = append(m.leaf, id)
		default:
			m.others = append(m.others, id)
		}
		id += int(le.Uint32(h[12:]))
	}
	if len(m.branch) == 0 || len(m.leaf) < 10 || m.freelist < 2 {
		t.Fatalf("the generated database is too small to damage well: %+v", m)
	}
	return m
}

// damageCase is one way to damage the file.
type damageCase struct {
	name string
	data []byte
}

// damageCases damages good in seeded ways: cut at several offsets, and
// bytes flipped in the meta, freelist, root, branch and leaf pages.
func damageCases(t *testing.T, good []byte, seed uint64) []damageCase {
	m := mapPages(t, good)
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var cases []damageCase
	ps, n := m.size, len(good)
	for _, cut := range []int{0, 1000, ps, 2*ps + 100, 4 * ps, n / 4, n / 2, n * 3 / 4, n - ps, n - 1} {
		cases = append(cases, damageCase{fmt.Sprintf("cut at %d of %d", cut, n), bytes.Clone(good[:cut])})
	}
	// flip XORs k random bytes in [id*ps+from, id*ps+to) with non-zero values.
	flip := func(what string, id, from, to, k int) {
		d := bytes.Clone(good)
		var at []int
		for range k {
			off := id*ps + from + rnd.IntN(to-from)
			d[off] ^= byte(1 + rnd.IntN(255))
			at = append(at, off)
		}
		cases = append(cases, damageCase{fmt.Sprintf("%s page %d, bytes %v flipped", what, id, at), d})
	}
	pick := func(ids []int) int { return ids[rnd.IntN(len(ids))] }
	for i := range 8 {
		flip("meta", i%2, 0, 16+64, 1+i/4)
	}
	bothMeta := bytes.Clone(good)
	bothMeta[16+50] ^= 0xFF
	bothMeta[ps+16+50] ^= 0xFF
	cases = append(cases, damageCase{"both meta pages' txid flipped", bothMeta})
	for i := range 6 {
		flip("freelist", m.freelist, 0, []int{16, 64, ps}[i%3], 1+i%2)
	}
	for range 4 {
		flip("root", m.root, 0, 96, 1)
	}
	for i := range 10 {
		flip("branch", pick(m.branch), 0, []int{64, ps}[i%2], 1+i%3)
	}
	for i := range 14 {
		flip("leaf", pick(m.leaf), 0, []int{128, ps}[i%2], 1+i%4)
	}
	return cases
}

// TestDamagedDatabaseNeverCrashes damages a real database in many seeded
// ways. For every case the bot either starts and answers, or refuses in
// one line that names the file, says it is damaged and how to restore it,
// with exit status 1 and the file unchanged; check-db and backup on the
// same file end with 0 or 1. A crash would end the test binary.
func TestDamagedDatabaseNeverCrashes(t *testing.T) {
	goodPath := filepath.Join(t.TempDir(), "good.db")
	makeDatabase(t, goodPath)
	good, err := os.ReadFile(goodPath)
	if err != nil {
		t.Fatal(err)
	}
	cases := damageCases(t, good, 18)
	if len(cases) < 50 {
		t.Fatalf("%d cases; want at least 50", len(cases))
	}
	counts := map[string]int{}
	for _, c := range cases {
		cfg, dbPath := writeConfig(t, "")
		if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dbPath, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		chk := runBot(t, "check-db", "-config", cfg)
		bak := runBot(t, "backup", "-config", cfg, filepath.Join(t.TempDir(), "copy.db"))
		for _, r := range []runResult{chk, bak} {
			if r.code != exitOK && r.code != exitFail || r.code == exitFail && strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s: check-db/backup: exit %d, stderr %q", c.name, r.code, r.stderr)
			}
		}
		if got, _ := os.ReadFile(dbPath); !bytes.Equal(got, c.data) {
			t.Errorf("%s: check-db or backup changed the file", c.name)
		}
		outcome := startDamaged(t, c, cfg, dbPath)
		counts[outcome]++
		counts["check-db exit "+fmt.Sprint(chk.code)]++
		counts["backup exit "+fmt.Sprint(bak.code)]++
	}
	t.Logf("%d cases: %v", len(cases), counts)
}

// damagedReason finds the reason in the one-line answer to a damaged file.
var damagedReason = regexp.MustCompile(`is damaged \(([^)]*)\) — restore your latest backup \(made by "herald backup", see README "Backups"\)`)

// startDamaged runs the bot on a damaged file and says how it went.
func startDamaged(t *testing.T, c damageCase, cfg, dbPath string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-config", cfg}, strings.NewReader(""), &syncBuffer{}, stderr) }()
	deadline := time.After(30 * time.Second)
	for {
		if m := startedAddr.FindStringSubmatch(stderr.String()); m != nil {
			res, err := http.Get("http://" + m[1] + "/healthz")
			if err != nil {
				t.Errorf("%s: started but does not answer: %v", c.name, err)
			} else {
				res.Body.Close()
			}
			cancel()
			if code := <-done; code != exitOK && code != exitFail {
				t.Errorf("%s: exit %d after a start:\n%s", c.name, code, stderr)
			}
			return "started"
		}
		select {
		case code := <-done:
			// The answer is one line; log lines of what went before (the
			// index built from a good part of the file) may precede it.
			all, opened := stderr.String(), strings.Contains(stderr.String(), "audience index built")
			var answer []string
			for _, l := range strings.Split(strings.TrimSuffix(all, "\n"), "\n") {
				if !strings.HasPrefix(l, "time=") {
					answer = append(answer, l)
				}
			}
			if code != exitFail || len(answer) != 1 || !strings.Contains(answer[0], dbPath) ||
				strings.Contains(all, "Display Name") || strings.Contains(all, "goroutine") {
				t.Errorf("%s: exit %d, stderr %q", c.name, code, all)
			}
			if got, _ := os.ReadFile(dbPath); !opened && !bytes.Equal(got, c.data) {
				t.Errorf("%s: the refused file was changed", c.name)
			}
			if m := damagedReason.FindStringSubmatch(answer[0]); m != nil {
				return "refused: " + m[1]
			}
			return "refused: " + answer[0]
		case <-deadline:
			t.Fatalf("%s: the bot neither started nor stopped:\n%s", c.name, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
