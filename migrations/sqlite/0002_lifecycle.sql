-- The review lifecycle: a bundle's timeline, and the durable outbox of background jobs
-- (status callbacks, review steps) written in the same transaction as the change.

CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    bundle_sid TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    type TEXT NOT NULL,
    detail TEXT NOT NULL,
    date_created INTEGER NOT NULL
);
CREATE INDEX events_by_bundle ON events(bundle_sid, seq);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    bundle_sid TEXT NOT NULL,
    payload TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER,
    done INTEGER NOT NULL DEFAULT 0,
    date_created INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(done, due_at);
