-- Messaging v1: Messaging Services (MG…) and the phone numbers in their sender pools.
-- A number is in one pool at a time (UNIQUE number_sid). Deleting a service empties its
-- pool; releasing a number takes it out of its pool (ON DELETE CASCADE both ways), in the
-- statement that deletes, so no pool ever names a missing service or number.

CREATE TABLE messaging_services (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    friendly_name TEXT NOT NULL,
    -- The service's settings (inbound_request_url, sticky_sender, …) by snake_case name.
    config TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX messaging_services_by_account ON messaging_services(account_sid, seq);

CREATE TABLE messaging_service_numbers (
    seq BIGSERIAL PRIMARY KEY,
    service_sid TEXT NOT NULL REFERENCES messaging_services(sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    number_sid TEXT NOT NULL UNIQUE REFERENCES phone_numbers(sid) ON DELETE CASCADE,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX messaging_service_numbers_by_service ON messaging_service_numbers(service_sid, seq);
CREATE INDEX messaging_service_numbers_by_account ON messaging_service_numbers(account_sid);
