-- The 2010-04-01 companion resources an ISV flow needs: API keys, Addresses and
-- IncomingPhoneNumbers. (Accounts page by their `seq`, created in 0001.)

CREATE TABLE api_keys (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    friendly_name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX api_keys_by_account ON api_keys(account_sid, seq);

CREATE TABLE addresses (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    customer_name TEXT NOT NULL,
    friendly_name TEXT,
    street TEXT NOT NULL,
    street_secondary TEXT,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    iso_country TEXT NOT NULL,
    emergency_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX addresses_by_account ON addresses(account_sid, seq);

CREATE TABLE phone_numbers (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    phone_number TEXT NOT NULL UNIQUE,
    friendly_name TEXT NOT NULL,
    -- Voice/SMS settings and other optional properties, by their snake_case names.
    config TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX phone_numbers_by_account ON phone_numbers(account_sid, seq);
CREATE INDEX channel_assignments_by_endpoint ON channel_assignments(channel_endpoint_sid);
