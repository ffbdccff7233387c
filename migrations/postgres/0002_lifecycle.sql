-- The review lifecycle: a bundle's timeline, and the durable outbox of background jobs
-- (status callbacks, review steps) written in the same transaction as the change.

CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    bundle_sid TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    type TEXT NOT NULL,
    detail TEXT NOT NULL,
    date_created BIGINT NOT NULL
);
CREATE INDEX events_by_bundle ON events(bundle_sid, seq);

CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    bundle_sid TEXT NOT NULL,
    payload TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT,
    done SMALLINT NOT NULL DEFAULT 0,
    date_created BIGINT NOT NULL
);
-- The claim query scans unfinished jobs by due time.
CREATE INDEX jobs_pending ON jobs(due_at, id) WHERE done = 0;
