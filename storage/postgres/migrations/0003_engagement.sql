-- Engagement (what comes back from end users) and the admin side.

-- The platforms' IDs of end-user events applied lately (storage.SeenWindow),
-- as storage.AppendSeenKey keeps them; seen_at is the store's clock.
CREATE TABLE seen_events (
    id      bytea PRIMARY KEY,
    seen_at timestamptz NOT NULL
);
-- The sweep of expired IDs deletes by age.
CREATE INDEX seen_events_seen_at ON seen_events (seen_at);

-- Per broadcast button: every tap, and the number of different people
-- (tap_users counts them once each).
CREATE TABLE tap_counts (
    broadcast_id text   NOT NULL,
    button_id    text   NOT NULL,
    total        bigint NOT NULL,
    uniq         bigint NOT NULL,
    PRIMARY KEY (broadcast_id, button_id)
);

-- Who tapped a button (the subscriber's key, "line:U1"), once each, with
-- the time of their first tap (NULL: not known).
CREATE TABLE tap_users (
    broadcast_id text NOT NULL,
    button_id    text NOT NULL,
    subscriber   text NOT NULL,
    first_at     timestamptz,
    PRIMARY KEY (broadcast_id, button_id, subscriber)
);

-- Link clicks, counted like taps.
CREATE TABLE click_counts (
    broadcast_id text   NOT NULL,
    button_id    text   NOT NULL,
    total        bigint NOT NULL,
    uniq         bigint NOT NULL,
    PRIMARY KEY (broadcast_id, button_id)
);

-- Who clicked a link, by subscriber number (Seq), once each.
CREATE TABLE click_users (
    broadcast_id text   NOT NULL,
    button_id    text   NOT NULL,
    seq          bigint NOT NULL,
    first_at     timestamptz,
    PRIMARY KEY (broadcast_id, button_id, seq)
);

-- Small values the store keeps once (the click secret).
CREATE TABLE engagement_meta (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);

-- Admins' conversation state, opaque to storage.
-- Keys are bytea: bbolt takes any bytes as a key (a NUL included) and
-- text cannot hold a NUL.
CREATE TABLE sessions (
    key  bytea PRIMARY KEY,
    data bytea NOT NULL
);

-- Admins' profiles (herald.Admin as JSON).
CREATE TABLE admins (
    key     text PRIMARY KEY,
    profile jsonb NOT NULL
);

-- The audit log, append-only: n gives the order entries happened in;
-- entry is herald.AuditEntry as JSON (its time kept to the nanosecond).
CREATE TABLE audit (
    n      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target text NOT NULL,
    entry  jsonb NOT NULL
);
-- /log of one broadcast reads only its entries, newest first.
CREATE INDEX audit_target_n ON audit (target, n);

-- What the admin chats keep by key across a restart (storage.RecordKind:
-- approval cards, progress messages, report follow-ups).
CREATE TABLE chat_records (
    kind text  NOT NULL,
    key  text  NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (kind, key)
);

-- Uploaded files (broadcast images) by their random ID.
CREATE TABLE media (
    id           text PRIMARY KEY,
    content_type text  NOT NULL,
    data         bytea NOT NULL
);
