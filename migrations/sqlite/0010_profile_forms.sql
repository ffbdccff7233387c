-- One-time ids of the console's Primary-profile form: a rendered form makes one profile.
-- The profile's transaction inserts its form's row (the SHA-256 of the hidden `form_id`),
-- so a second submission of the same form (a double click, a resend) waits for the first
-- and finds the row: it creates nothing and is sent to the profile the first made. Rows
-- expire with the sign-in that could send the form (`expires_at`, unix seconds, real
-- time) and are deleted as new ones are written.
--
-- `inquiries.claimed_until` (0008) is no longer written: an inquiry is finished in the
-- profile's own transaction. It stays, so that servers of the previous release sharing a
-- database during a rolling upgrade keep working.
CREATE TABLE profile_forms (
    account_sid TEXT NOT NULL,
    form_hash TEXT NOT NULL,
    bundle_sid TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_sid, form_hash)
);
CREATE INDEX profile_forms_expiry ON profile_forms (expires_at);
