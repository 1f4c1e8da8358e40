package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStorageConfig: the storage section as an operator writes it — the
// default engine, PostgreSQL's URL from the environment, and each mistake
// named with its fix, never quoting the database's password.
func TestStorageConfig(t *testing.T) {
	const password = "s3cr3t-pw"
	tests := []struct {
		name   string
		yaml   string
		vars   map[string]string
		driver string
		url    string
		want   []string // problems; nil: valid
	}{
		{name: "no storage section is bbolt", yaml: "", driver: "bbolt"},
		{name: "postgres from the environment", yaml: "storage:\n  driver: postgres\n  postgres_url: ${HERALD_DATABASE_URL}\n",
			vars:   map[string]string{"HERALD_DATABASE_URL": "postgres://herald:" + password + "@db.example.org:5432/herald"},
			driver: "postgres", url: "postgres://herald:" + password + "@db.example.org:5432/herald"},
		{name: "postgresql scheme", yaml: "storage: {driver: postgres, postgres_url: 'postgresql://herald@db/herald?sslmode=require'}\n",
			driver: "postgres", url: "postgresql://herald@db/herald?sslmode=require"},
		{name: "unknown driver", yaml: "storage: {driver: mysql}\n", want: []string{
			`storage.driver: "mysql" is not a storage engine — use bbolt (one file, the default) or postgres`}},
		{name: "empty driver", yaml: "storage: {driver: ''}\n", want: []string{
			`storage.driver: must not be empty — use bbolt (one file, the default) or postgres`}},
		{name: "postgres without a URL", yaml: "storage: {driver: postgres}\n", want: []string{
			`storage.postgres_url: must be set when storage.driver is postgres — e.g. postgres_url: "${HERALD_DATABASE_URL}" with HERALD_DATABASE_URL=postgres://herald:PASSWORD@db.example.org:5432/herald exported`}},
		{name: "postgres URL variable empty", yaml: "storage: {driver: postgres, postgres_url: '${HERALD_DATABASE_URL:-}'}\n", want: []string{
			`storage.postgres_url: must be set when storage.driver is postgres — e.g. postgres_url: "${HERALD_DATABASE_URL}" with HERALD_DATABASE_URL=postgres://herald:PASSWORD@db.example.org:5432/herald exported`}},
		{name: "another database's URL", yaml: "storage: {driver: postgres, postgres_url: 'mysql://herald:" + password + "@db/herald'}\n", want: []string{
			`storage.postgres_url: not a PostgreSQL URL: it must start with postgres:// (write postgres://user:password@host:5432/dbname)`}},
		{name: "keyword/value string", yaml: "storage: {driver: postgres, postgres_url: 'host=db password=" + password + "'}\n", want: []string{
			`storage.postgres_url: not a PostgreSQL URL: it must start with postgres:// (write postgres://user:password@host:5432/dbname)`}},
		{name: "password with an unescaped character", yaml: "storage: {driver: postgres, postgres_url: 'postgres://herald:" + password + "#1@db:5432/herald'}\n", want: []string{
			`storage.postgres_url: not a PostgreSQL URL (write postgres://user:password@host:5432/dbname; a password with @ : / ? # or % in it must be percent-encoded, e.g. %40 for @)`}},
		{name: "bad sslmode", yaml: "storage: {driver: postgres, postgres_url: 'postgres://herald:" + password + "@db/herald?sslmode=maybe'}\n", want: []string{
			"storage.postgres_url: not a PostgreSQL URL: cannot parse `postgres://herald:xxxxx@db/herald?sslmode=maybe`: failed to configure TLS (sslmode is invalid)"}},
		{name: "a URL but bbolt", yaml: "storage: {postgres_url: 'postgres://herald@db/herald'}\n", want: []string{
			`storage.postgres_url: is set but storage.driver is bbolt, so it would be unused — set driver: postgres to use PostgreSQL, or remove postgres_url (or unset the variable it names)`}},
		{name: "bbolt without a path", yaml: "storage: {path: ''}\n", want: []string{
			`storage.path: must not be empty — e.g. "./data/herald.db"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig("config.yaml", []byte(tt.yaml), env(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if err := cfg.Validate(); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("problems (-want +got):\n%s", diff)
			}
			if strings.Contains(strings.Join(got, "\n")+cfg.Storage.shown(), password) {
				t.Errorf("the password is shown: %q, %q", got, cfg.Storage.shown())
			}
			if tt.want == nil && (cfg.Storage.Driver != tt.driver || cfg.Storage.PostgresURL != tt.url) {
				t.Errorf("storage = %+v, want driver %q, URL %q", cfg.Storage, tt.driver, tt.url)
			}
		})
	}
}

// TestStorageCommandsSayWhatToUseWithPostgres: what only a bbolt file has
// points a PostgreSQL user to its counterpart, without connecting and
// without the password; the demo keeps its own file whatever the config.
func TestStorageCommandsSayWhatToUseWithPostgres(t *testing.T) {
	t.Setenv("HERALD_DATABASE_URL", "postgres://herald:s3cr3t-pw@127.0.0.1:1/herald")
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := "storage:\n  driver: postgres\n  postgres_url: ${HERALD_DATABASE_URL}\nhttp: {listen: '127.0.0.1:0'}\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	r := runBot(t, "backup", "-config", path, "copy.db")
	if r.code != exitFail || !strings.Contains(r.stderr, "pg_dump") || !strings.Contains(r.stderr, "postgres://herald:xxxxx@127.0.0.1:1/herald") {
		t.Errorf("backup with postgres: exit %d, %s", r.code, r.stderr)
	}
	r = runBot(t, "check-db", "-config", path)
	if r.code != exitFail || !strings.Contains(r.stderr, `run "herald check-config"`) {
		t.Errorf("check-db with postgres: exit %d, %s", r.code, r.stderr)
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, "s3cr3t-pw") {
			t.Errorf("the password is shown:\n%s", out)
		}
	}
	// The demo never touches the configured database.
	c, _, err := resolveConfig(path, true)
	if err != nil || c.Storage != (StorageConfig{Driver: driverBBolt, Path: demoStoragePath}) {
		t.Errorf("the demo's storage with a postgres config: %+v, %v", c.Storage, err)
	}
}
