-- Toll-free verifications (registrations of kind tollfree_verification, HH…): one per
-- toll-free number at a time (`parent_sid` holds the number's PN SID). Of two concurrent
-- creates for one number, one wins; the other answers 409 naming the first.
CREATE UNIQUE INDEX registrations_tollfree_number_key ON registrations(parent_sid)
    WHERE kind = 'tollfree_verification';
