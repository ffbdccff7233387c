-- Console sessions and hosted compliance inquiries, kept in the store so that any server
-- sharing it serves a sign-in or an inquiry started on another, and a restart keeps them.
-- Both expire (seconds since the epoch): expired rows are never read and are deleted as
-- new ones are written.

-- tower-sessions records. The key is the SHA-256 of the cookie's session id, so reading
-- the store signs no one in. `signed_in` is 0 for anonymous (sign-in page) sessions,
-- which are shed first when the store holds too many.
CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    signed_in BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- Hosted compliance inquiries; `seq` orders them (the oldest go first when a cap is met).
-- Only a SHA-256 of the session token is kept (the API hands out a fresh token on
-- resume); `prefill` is JSON, encrypted like attributes when an encryption key is set.
CREATE TABLE inquiries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    external_id TEXT NOT NULL,
    primary_sid TEXT,
    prefill TEXT NOT NULL,
    bundle_sid TEXT,
    -- While a request completes the form (unix seconds, real time): no second one may.
    claimed_until BIGINT,
    date_created BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX inquiries_account ON inquiries (account_sid, seq);
CREATE INDEX inquiries_expiry ON inquiries (expires_at);
