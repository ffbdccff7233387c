-- Messaging v1 registrations: brands (BN…), brand vettings (VT…), A2P campaigns
-- (us_app_to_person, QE…) and toll-free verifications (HH…). One table and one lifecycle
-- for the four kinds (`domain/registration.rs`): each row carries its kind's own Twilio
-- status string, its properties as a JSON object by snake_case name, and its failure.
-- Their timeline events and review/callback jobs are rows of `events` and `jobs`, whose
-- `bundle_sid` column holds the registration's SID (any reviewed subject's SID).

CREATE TABLE registrations (
    seq BIGSERIAL PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL REFERENCES accounts(sid),
    -- brand | brand_vetting | us_app_to_person | tollfree_verification
    kind TEXT NOT NULL,
    -- What it hangs off: a vetting's brand, a campaign's Messaging Service, a toll-free
    -- verification's number (PN…); NULL for a brand.
    parent_sid TEXT,
    status TEXT NOT NULL,
    -- The resource's own properties by snake_case name (a JSON object), stored like
    -- attributes (encrypted with --encryption-key).
    fields TEXT NOT NULL,
    -- {"reason": …, "errors": [{"code": …, "description": …}]} while failed; NULL otherwise.
    failure TEXT,
    -- Bumped by every save; a save must name the version it read.
    version BIGINT NOT NULL DEFAULT 0,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX registrations_by_account ON registrations(account_sid, kind, seq);
CREATE INDEX registrations_by_parent ON registrations(parent_sid, kind, seq);
CREATE INDEX registrations_by_status ON registrations(kind, status);
-- One campaign per Messaging Service (Twilio answers 409 to a second).
CREATE UNIQUE INDEX registrations_parent_sid_key ON registrations(parent_sid)
    WHERE kind = 'us_app_to_person';
