-- The audience index's change log (the subscribers part; see
-- ../index_follow.go). Each instance keeps the audience index in memory;
-- with several instances on one database (Options.Shared), every write
-- that changes what the index holds (subscriber records, first taps and
-- clicks) also writes its changes here, in the same transaction, and
-- NOTIFYs the row's id, so the other instances apply them. Rows are kept
-- a few minutes: long enough for an instance whose listening connection
-- dropped to catch up; older gaps rebuild the index instead.
CREATE TABLE index_log (
    id     bigserial PRIMARY KEY,
    -- When the row was written (the database's clock): catching up reads
    -- the rows written since shortly before the last one heard.
    at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The writing transaction, so an instance skips the changes already
    -- in the snapshot its index was built from (pg_visible_in_snapshot).
    xid    xid8 NOT NULL DEFAULT pg_current_xact_id(),
    origin text NOT NULL, -- the writing instance, which applied them itself
    body   bytea NOT NULL -- the changes (index_log.go)
);

-- Bodies are records the subscribers table holds already, read once
-- and soon deleted: compressing them would only slow the writer.
ALTER TABLE index_log ALTER COLUMN body SET STORAGE EXTERNAL;

CREATE INDEX index_log_at ON index_log (at);
