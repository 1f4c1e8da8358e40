-- Broadcasts, their runs and each run's per-recipient records.

-- A broadcast is rich and changes shape often: its JSON (as the bbolt store
-- keeps it) plus the columns that are queried.
CREATE TABLE broadcasts (
    id text PRIMARY KEY,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    -- name_key is the folded name while the broadcast holds it (unfinished,
    -- named): NULL otherwise, so finished broadcasts free their names.
    name_key text,
    data jsonb NOT NULL
);

-- Names are unique among unfinished broadcasts: the check on every create
-- and rename is one lookup, and two writers racing for a name cannot both
-- win.
CREATE UNIQUE INDEX broadcasts_name_key ON broadcasts (name_key) WHERE name_key IS NOT NULL;

-- A run is JSON as well, but for its Tally and AccountTally (run_counts).
-- Its Total is written under the row's lock by the snapshot only.
CREATE TABLE runs (
    id text PRIMARY KEY,
    broadcast_id text NOT NULL,
    n integer NOT NULL,
    data jsonb NOT NULL
);

-- RunsOf lists a broadcast's runs in order, UpdateBroadcastRun takes the
-- last, and a deleted broadcast's runs go with it.
CREATE UNIQUE INDEX runs_of_broadcast ON runs (broadcast_id, n);

-- A run's counters by outcome, one row per platform (Tally) and per named
-- account (AccountTally, scope "line:shop"): each group commit adds what
-- it moved to the rows of its platforms only, so the workers of several
-- platforms commit side by side instead of queueing on the run's row, and
-- the counts stay exact (a row's lock orders its adds).
CREATE TABLE run_counts (
    run_id text NOT NULL,
    account boolean NOT NULL,
    scope text NOT NULL,
    pending bigint NOT NULL DEFAULT 0,
    sent bigint NOT NULL DEFAULT 0,
    failed bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    uncertain bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, account, scope)
);

-- One row per recipient of a run: millions per run. Times are Unix
-- nanoseconds (0: none), kept exact as the bbolt records keep them; Seq is
-- a uint32, so bigint. The keys compare bytewise (COLLATE "C"): every
-- insert and page walks two indexes on them, and a language's collation
-- would cost a locale comparison per step for an order nobody reads.
CREATE TABLE deliveries (
    run_id text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    platform text COLLATE "C" NOT NULL,
    account text NOT NULL DEFAULT '',
    recipient text NOT NULL,
    outcome text NOT NULL,
    reason text NOT NULL DEFAULT '',
    message_id text NOT NULL DEFAULT '',
    attempts integer NOT NULL DEFAULT 0,
    at_ns bigint NOT NULL DEFAULT 0,
    not_before_ns bigint NOT NULL DEFAULT 0,
    parts_done integer NOT NULL DEFAULT 0,
    -- was: the outcome before the last write, which that write returns
    -- (the row's own value under its lock, exact when two commits race).
    was text NOT NULL DEFAULT '',
    -- unmarked: the in-flight marks (delivery_marks) up to this one no
    -- longer count for the record: an outcome, or settling, cleared them.
    unmarked bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, seq)
) WITH (fillfactor = 50);
-- fillfactor 50: a snapshot's COPY leaves half of each page free, so the
-- record's outcome write (no indexed column changes) is a HOT update on
-- its own page, without a new primary-key entry.

-- The in-flight marks: the Seqs of the records whose send started, one
-- row per group commit (CommitDeliveries). A mark is one small insert, not
-- an update of every record it names (which would double the hot path's
-- writes); a record is in flight while it is pending and a mark above its
-- unmarked names it. Read once, at a resume (InFlight).
CREATE TABLE delivery_marks (
    id bigserial PRIMARY KEY,
    run_id text NOT NULL,
    seqs bigint[] NOT NULL
);

-- A run's marks, newest last: the newest is what an outcome clears up
-- to; a deleted run's go with it.
CREATE INDEX delivery_marks_of_run ON delivery_marks (run_id, id);

-- No index on deliveries names outcome, in its key or its predicate: one
-- that did made every outcome write a new row version with a new entry in
-- each index, never a HOT update; without, and with the room fillfactor
-- leaves, the hot UPDATE rewrites the record in place on its page.

-- Each channel's pager pages its platform's pending records from its
-- cursor on: ahead of the cursor nearly all are still pending (the sent
-- ones are behind it). A pass that starts over for retries due later
-- walks past the sent records again, one heap look each.
CREATE INDEX deliveries_of_platform ON deliveries (run_id, platform, seq);

-- The held, failed and skipped records, which reports page without
-- reading the sent bulk: a narrow table the group commit writes only
-- when a record enters or leaves one of those (a few; most go from
-- pending to sent and write nothing here). A deleted run's go with it.
CREATE TABLE delivery_reported (
    run_id text COLLATE "C" NOT NULL,
    outcome text COLLATE "C" NOT NULL,
    platform text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    PRIMARY KEY (run_id, outcome, platform, seq)
);
