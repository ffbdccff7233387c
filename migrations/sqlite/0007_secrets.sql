-- Secrets the store keeps for every server sharing it (e.g. the key sealing page
-- tokens), created once by the first server that needs one.
CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
