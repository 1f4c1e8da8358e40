package postgres_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
	"github.com/heraldbot/herald/storage/storagetest"
	"github.com/jackc/pgx/v5"
	bolt "go.etcd.io/bbolt"
)

// A deployment moved from bbolt to PostgreSQL and back answers every
// question as it did before, and its next writes go on where it left off.
func TestTransferBoltToPostgresAndBack(t *testing.T) {
	dir := t.TempDir()
	now := storagetest.FillNow
	filled := storagetest.FillFile(t, filepath.Join(dir, "a.db"))
	orig := openBolt(t, filepath.Join(dir, "a.db"), storage.Options{Now: now})
	want := storagetest.Everything(t, orig, filled)
	if err := orig.Close(); err != nil {
		t.Fatal(err)
	}

	src := openBolt(t, filepath.Join(dir, "a.db"), storage.Options{Now: now, ReadOnly: true})
	url := pgtest.URL(t)
	pg := openStore(t, url, now)
	lines := transfer(t, src, pg)
	for _, l := range lines {
		if l.Source == 0 {
			t.Errorf("the generated database has no %s: add one to storagetest.FillEveryKind", l.Kind)
		}
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	pg.Close()
	pg = openStore(t, url, now)
	if diff := cmp.Diff(want, storagetest.Everything(t, pg, filled)); diff != "" {
		t.Errorf("PostgreSQL after the move answers otherwise (-bbolt +postgres):\n%s", diff)
	}

	back := openBolt(t, filepath.Join(dir, "b.db"), storage.Options{Now: now})
	if got := transfer(t, pg, back); !cmp.Equal(got, lines) {
		t.Errorf("back to bbolt: counts %v, want %v", got, lines)
	}
	back.Close()
	back = openBolt(t, filepath.Join(dir, "b.db"), storage.Options{Now: now})
	if diff := cmp.Diff(want, storagetest.Everything(t, back, filled)); diff != "" {
		t.Errorf("bbolt after the round trip answers otherwise (-before +after):\n%s", diff)
	}

	orig = openBolt(t, filepath.Join(dir, "a.db"), storage.Options{Now: now})
	wantNext := storagetest.AfterwardsToo(t, orig)
	if wantNext["new Seq"] != uint32(7) {
		t.Errorf("a new subscriber after the move: %v, want Seq 7 (after the 6 handed out)", wantNext)
	}
	if diff := cmp.Diff(wantNext, storagetest.AfterwardsToo(t, pg)); diff != "" {
		t.Errorf("PostgreSQL's next writes differ (-bbolt +postgres):\n%s", diff)
	}
	if diff := cmp.Diff(wantNext, storagetest.AfterwardsToo(t, back)); diff != "" {
		t.Errorf("the round trip's next writes differ (-before +after):\n%s", diff)
	}
}

func transfer(t *testing.T, src storage.Exporter, dst storage.Target) []storage.CountLine {
	t.Helper()
	lines, err := storage.Transfer(context.Background(), src, dst, "the target")
	if err != nil {
		t.Fatalf("transfer: %v (%v)", err, lines)
	}
	return lines
}

func openBolt(t *testing.T, path string, opts storage.Options) *storage.Store {
	t.Helper()
	s, err := storage.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openStore(t *testing.T, url string, now func() time.Time) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, postgres.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A target that holds anything is refused, saying what it holds.
func TestTransferRefusesANonEmptyTarget(t *testing.T) {
	dir := t.TempDir()
	src := openBolt(t, filepath.Join(dir, "a.db"), storage.Options{})
	if err := src.PutSession("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	pg := openStore(t, pgtest.URL(t), nil)
	if err := pg.PutSession("other", []byte("x")); err != nil {
		t.Fatal(err)
	}
	_, err := storage.Transfer(context.Background(), src, pg, "postgres://db")
	var ne *storage.NotEmptyError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "postgres://db is not empty (it holds 1 sessions)") {
		t.Fatalf("transfer into a non-empty database: %v", err)
	}
	if got, _ := pg.Session("k"); got != nil {
		t.Error("the refused copy wrote into the target")
	}
}

// dropOne is an importer that loses the first record of one kind.
type dropOne struct {
	storage.Target
	kind string
}

func (d dropOne) Import(ctx context.Context, rs *storage.RecordStream) error {
	ch := make(chan storage.Record)
	done := make(chan error, 1)
	go func() { done <- d.Target.Import(ctx, storage.NewRecordStream(ch)) }()
	dropped := false
	for r, ok := rs.Next(); ok; r, ok = rs.Next() {
		if r.Kind == d.kind && !dropped {
			dropped = true
			continue
		}
		ch <- r
	}
	close(ch)
	return <-done
}

// A copy that lost a record fails its verification and says which kind.
func TestTransferFindsALostRecord(t *testing.T) {
	src := openBolt(t, filepath.Join(t.TempDir(), "a.db"), storage.Options{Now: storagetest.FillNow})
	storagetest.FillEveryKind(t, src)
	pg := openStore(t, pgtest.URL(t), storagetest.FillNow)
	lines, err := storage.Transfer(context.Background(), src, dropOne{pg, storage.KindDeliveries.Name}, "the target")
	if !errors.Is(err, storage.ErrCountsDiffer) {
		t.Fatalf("a lost delivery: %v", err)
	}
	for _, l := range lines {
		want := l.Source
		if l.Kind == storage.KindDeliveries.Name {
			want--
		}
		if l.Target != want {
			t.Errorf("%s: %d of %d; want deliveries one short, the rest all there", l.Kind, l.Target, l.Source)
		}
	}
}

// Every table of the schema is a kind of the stream or derived from one:
// a table added without its place in the migration fails here.
func TestTransferCoversEveryTable(t *testing.T) {
	url := pgtest.URL(t)
	openStore(t, url, nil) // migrated
	derived := map[string]string{
		"run_counts":        "the runs' tallies, in their JSON",
		"delivery_marks":    "in_flight",
		"delivery_reported": "the held, failed and skipped deliveries, derived at import",
		"herald_schema":     "each engine's own schema version",
		"leases":            "cluster leases: held by running instances, which a migration requires stopped",
		"index_log":         "the audience index's recent changes, for running instances",
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < len(storage.Kinds()) {
		t.Fatalf("tables %v, %v", tables, err)
	}
	for _, table := range tables {
		if !storage.KnownKind(table) && derived[table] == "" {
			t.Errorf("table %s is not copied by migrate-storage: add it to storage.Kinds and both engines' export and import", table)
		}
	}
}

// Every bucket of a file with every kind of record is a kind of the
// migration stream or derived from one: a bucket added without its place
// in the migration fails here.
func TestTransferCoversEveryBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "herald.db")
	storagetest.FillFile(t, path)
	// The buckets whose records are a kind under another name, or are
	// rebuilt from the kinds by the importer.
	covered := map[string]string{
		"meta":              "schema version (each engine's own), click secret (engagement_meta)",
		"subscriber_keys":   "derived from subscribers",
		"broadcast_names":   "derived from broadcasts",
		"audit_by_target":   "derived from audit",
		"taps":              "tap_counts",
		"clicks":            "click_counts",
		"sequence_due":      "derived from enrollments",
		"approval_cards":    "chat_records",
		"progress_messages": "chat_records",
		"report_followups":  "chat_records",
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if !storage.KnownKind(string(name)) && covered[string(name)] == "" {
				t.Errorf("bucket %s is not copied by migrate-storage: add it to storage.Kinds and both engines' export and import", name)
			}
			return nil
		})
		// A run's records: "all" (deliveries), its in-flight marks, and
		// the indexes and timeline rebuilt from them.
		runBuckets := map[string]bool{"all": true, "inflight": true, "minutes": true, "held": true, "failed": true, "skipped": true}
		runs := tx.Bucket([]byte("deliveries"))
		return errors.Join(err, runs.ForEachBucket(func(run []byte) error {
			return runs.Bucket(run).ForEachBucket(func(name []byte) error {
				if !runBuckets[string(name)] && !strings.HasPrefix(string(name), "pending/") {
					t.Errorf("bucket %s of run %q is not copied by migrate-storage: add it to the deliveries' or in-flight kinds", name, run)
				}
				return nil
			})
		}))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A database instances still work on is refused as a source: a live lease
// says one runs; an expired one does not.
func TestTransferSourceWithALiveLeaseIsRefused(t *testing.T) {
	url := pgtest.URL(t)
	pg := openStore(t, url, nil)
	ctx := context.Background()
	if err := pg.CheckNoInstance(ctx); err != nil {
		t.Fatalf("no lease: %v", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The columns cluster mode's migration gives the table.
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS leases (name text PRIMARY KEY, holder text NOT NULL,
		term bigint NOT NULL, expires_at timestamptz NOT NULL);
		INSERT INTO leases VALUES ('telegram-polling', 'host-2', 1, now() - interval '1 minute')`); err != nil {
		t.Fatal(err)
	}
	if err := pg.CheckNoInstance(ctx); err != nil {
		t.Fatalf("an expired lease: %v", err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO leases VALUES ('dispatch', 'host-1', 3, now() + interval '10 seconds')`); err != nil {
		t.Fatal(err)
	}
	err = pg.CheckNoInstance(ctx)
	if !errors.Is(err, postgres.ErrLocked) || !strings.Contains(err.Error(), "(they hold dispatch (host-1)): stop every instance") {
		t.Errorf("a live lease: %v", err)
	}
}

// failingSource is a source whose read fails after n records.
type failingSource struct {
	storage.Exporter
	n int
}

var errRead = errors.New("read error")

func (f failingSource) Export(ctx context.Context, fn func(r storage.Record) error) error {
	i := 0
	return f.Exporter.Export(ctx, func(r storage.Record) error {
		if i++; i > f.n {
			return errRead
		}
		return fn(r)
	})
}

// A source that fails half way leaves the database as empty as it was:
// the copy is one transaction.
func TestTransferFromAFailingSourceLeavesTheDatabaseEmpty(t *testing.T) {
	err := failedTransfer(t, func(src storage.Exporter) storage.Exporter { return failingSource{src, 20} })
	if !errors.Is(err, errRead) || !strings.Contains(err.Error(), "read the source") {
		t.Errorf("a failing source: %v", err)
	}
}

// failedTransfer copies a filled file, read through wrap, into a new
// database; it checks the copy failed and left the database empty, and
// returns its error.
func failedTransfer(t *testing.T, wrap func(storage.Exporter) storage.Exporter) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.db")
	storagetest.FillFile(t, path)
	pg := openStore(t, pgtest.URL(t), nil)
	_, err := storage.Transfer(context.Background(), wrap(openBolt(t, path, storage.Options{ReadOnly: true})), pg, "the target")
	if err == nil {
		t.Fatal("the copy did not fail")
	}
	if err := storage.CheckEmpty(context.Background(), pg, "the target"); err != nil {
		t.Errorf("after a failed copy: %v", err)
	}
	return err
}

// badSource sends a record the target cannot take in place of the first
// session.
type badSource struct{ storage.Exporter }

func (b badSource) Export(ctx context.Context, fn func(r storage.Record) error) error {
	return b.Exporter.Export(ctx, func(r storage.Record) error {
		if r.Kind == storage.KindSessions.Name {
			r.Values = []any{"k", time.Time{}}
		}
		return fn(r)
	})
}

// A record the database refuses fails the copy, which leaves the database
// empty and returns.
func TestTransferOfABadRecordFailsCleanly(t *testing.T) {
	err := failedTransfer(t, func(src storage.Exporter) storage.Exporter { return badSource{src} })
	if !strings.Contains(err.Error(), "import sessions") {
		t.Errorf("a bad record: %v", err)
	}
}
