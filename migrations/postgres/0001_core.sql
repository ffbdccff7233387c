-- Core TrustHub tables (PostgreSQL; same tables and meaning as migrations/sqlite).
-- `seq` is the creation order used by keyset paging. Timestamps are Unix seconds.
-- JSON is kept as TEXT, exactly as serialised, so responses keep their key order
-- (JSONB would reorder keys and differ from the SQLite store).

CREATE TABLE accounts (
    -- SQLite pages accounts by rowid; here an explicit column does that job (first, so
    -- rows read back like SQLite's `SELECT rowid AS seq, *`).
    seq BIGSERIAL NOT NULL UNIQUE,
    sid TEXT PRIMARY KEY,
    friendly_name TEXT NOT NULL,
    auth_token TEXT NOT NULL,
    owner_sid TEXT REFERENCES accounts(sid),
    status TEXT NOT NULL DEFAULT 'active',
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX accounts_by_owner ON accounts(owner_sid, seq);

CREATE TABLE bundles (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    kind TEXT NOT NULL,
    policy_sid TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    status_callback TEXT,
    valid_until BIGINT,
    errors TEXT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX bundles_by_account ON bundles(account_sid, kind, seq);

CREATE TABLE entities (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    kind TEXT NOT NULL,
    type_name TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX entities_by_account ON entities(account_sid, kind, seq);

CREATE TABLE entity_assignments (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    bundle_sid TEXT NOT NULL REFERENCES bundles(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    object_sid TEXT NOT NULL,
    object_type TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    UNIQUE (bundle_sid, object_sid)
);
CREATE INDEX entity_assignments_by_object ON entity_assignments(object_sid);

CREATE TABLE channel_assignments (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    bundle_sid TEXT NOT NULL REFERENCES bundles(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    channel_endpoint_type TEXT NOT NULL,
    channel_endpoint_sid TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    UNIQUE (bundle_sid, channel_endpoint_sid)
);

CREATE TABLE evaluations (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    bundle_sid TEXT NOT NULL REFERENCES bundles(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    policy_sid TEXT NOT NULL,
    status TEXT NOT NULL,
    results TEXT NOT NULL,
    date_created BIGINT NOT NULL
);
CREATE INDEX evaluations_by_bundle ON evaluations(bundle_sid, seq);
