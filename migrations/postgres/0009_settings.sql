-- Server settings kept across restarts, e.g. `admin_token_sha256`: the hash of an operator
-- token the server generated (the token itself is printed once and never stored).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
