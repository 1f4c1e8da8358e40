-- Leases: which instance of a deployment does a piece of work that must
-- run once (sending, Telegram polling). A row per lease, with its holder
-- and expiry judged by the database's clock (now()), so instances' clocks
-- never matter; term grows on each takeover, so a log line says which
-- holder did what. Rows, not advisory locks: they are visible in SQL
-- (SELECT * FROM leases), survive a connection blip, and their ttl is
-- the operator's choice.
CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    term       bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
