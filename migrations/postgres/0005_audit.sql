-- Who (an account's credentials, one of its API keys, or the operator) changed what.
CREATE TABLE audit (
    seq BIGSERIAL PRIMARY KEY,
    actor_kind TEXT NOT NULL,
    actor_sid TEXT,
    account_sid TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status BIGINT NOT NULL,
    date_created BIGINT NOT NULL
);
CREATE INDEX audit_by_account ON audit(account_sid, seq);
