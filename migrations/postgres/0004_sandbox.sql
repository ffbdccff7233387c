-- Named snapshots of the whole store (sandbox use): the dump as JSON lines.
CREATE TABLE snapshots (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    date_created BIGINT NOT NULL
);
