-- Sequences (drips): the sequences themselves, who is where in them, the
-- step runs whose people have not moved on, the API events taken, and the
-- sequence notes. No foreign keys to other parts' tables: a step's
-- broadcast and runs are the broadcasts part's (see ../parts.go).

-- A sequence is read and written whole (they are few; the rules in package
-- storage change its counts with the places of its people), so its
-- herald.Sequence is kept as a document.
CREATE TABLE sequences (
    id         text        PRIMARY KEY,
    created_at timestamptz NOT NULL,
    body       jsonb       NOT NULL
);

-- One row per person in a sequence: the step they wait for, the step run
-- carrying it (its number N; 0 while waiting) and, while waiting, when
-- it is due.
CREATE TABLE enrollments (
    sequence text        NOT NULL,
    seq      bigint      NOT NULL, -- the subscriber's Seq (a uint32)
    step     integer     NOT NULL,
    run      integer     NOT NULL DEFAULT 0,
    due      timestamptz,
    PRIMARY KEY (sequence, seq),
    CHECK ((run = 0) = (due IS NOT NULL))
);

-- The due index: the hand-out and the next-due timer seek the people of
-- one step due by a time, earliest first, without reading anyone else
-- (those in a run are not in it). seq orders ties and makes the scan
-- index-only.
CREATE INDEX enrollments_due ON enrollments (sequence, step, due, seq) WHERE run = 0;

-- The advance of a step run reads the people of that run in one query.
CREATE INDEX enrollments_run ON enrollments (sequence, run) WHERE run <> 0;

-- Step runs whose people have not moved on: after a restart, those that
-- finished meanwhile are advanced; retention keeps their records.
CREATE TABLE sequence_runs (
    run_id   text    PRIMARY KEY,
    sequence text    NOT NULL,
    step     integer NOT NULL
);

-- POST /events already taken: an event ID triggers once.
CREATE TABLE api_events (
    id       text        PRIMARY KEY,
    taken_at timestamptz NOT NULL
);

-- What happened to a person that may start or end sequences, written in
-- the transaction of the change itself while any sequence exists, and
-- applied in order (n) by the sequence loop.
CREATE TABLE sequence_notes (
    n      bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seq    bigint  NOT NULL,
    kind   text    NOT NULL, -- a trigger kind, or "leave"
    detail bytea   NOT NULL  -- a tap's is broadcast NUL button: not text
);
