-- Console sessions are capped per class (0 sign-in page, 1 signed in, 2 inquiry holder), so
-- a flood of one class (e.g. an inquiry link opened in a loop) never evicts another's.
ALTER TABLE console_sessions RENAME COLUMN signed_in TO class;
CREATE INDEX console_sessions_class ON console_sessions (class, expires_at);
