-- Subscribers (the subscribers part): one row per subscriber, keyed by
-- its Seq. The record column is the compact binary form the bbolt store
-- writes too (storage.AppendSubscriber): the audience index is rebuilt
-- from it at every start, and decoding it is several times faster than
-- reading a dozen columns and a jsonb. The columns beside it are what
-- queries look up by.

-- Seqs are handed out once and never again, even after an erasure: a
-- sequence never goes back. (A rolled-back write may skip numbers; no one
-- relies on Seqs being dense.) Seq is a uint32 in Herald.
CREATE SEQUENCE subscriber_seq AS bigint MINVALUE 1 MAXVALUE 4294967295 NO CYCLE;

-- Keys (platform, account, id) are opaque bytes compared for equality
-- only: COLLATE "C" compares them as bytes, which is also the cheapest
-- order for their unique index whatever the database's locale.
CREATE TABLE subscribers (
    -- The primary key's index streams subscribers in Seq order
    -- (EachSubscriber, the index rebuild) and finds a run's recipients by
    -- the Seqs its snapshot took (EachRecipient, Recipients).
    seq      bigint PRIMARY KEY CHECK (seq BETWEEN 1 AND 4294967295),
    platform text COLLATE "C" NOT NULL,
    account  text COLLATE "C" NOT NULL, -- '' is the platform's default account
    id       text COLLATE "C" NOT NULL,
    name     text NOT NULL,
    -- version counts the writes of this row, so the in-memory index
    -- applies committed changes in commit order (see subscribers_index.go).
    version  bigint NOT NULL,
    record   bytea NOT NULL,
    -- One subscriber per key; its index answers lookups by key (webhooks,
    -- Subscriber, the start of every write).
    CONSTRAINT subscribers_key UNIQUE (platform, account, id)
);

-- Where a chat went when its platform gave it a new ID (MoveSubscriber):
-- the primary key's index follows a move from the old ID.
CREATE TABLE subscriber_moves (
    platform text COLLATE "C" NOT NULL,
    account  text COLLATE "C" NOT NULL,
    from_id  text COLLATE "C" NOT NULL,
    to_id    text COLLATE "C" NOT NULL,
    PRIMARY KEY (platform, account, from_id)
);
