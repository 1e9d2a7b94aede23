-- Issue 15: optimistic saves of a conversation's state (version) and leases on unprocessed messages.
-- (The Data Protection keys and the Direct Line signing key stay in the keys folder with SQLite.)
ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE turns ADD COLUMN claimed_by TEXT;
ALTER TABLE turns ADD COLUMN lease_until TEXT;
-- Earlier versions kept a generated Direct Line signing key in the database: it goes (a copy of the file must not mint tokens).
DROP TABLE IF EXISTS channel_keys;
