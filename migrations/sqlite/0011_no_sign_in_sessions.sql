-- The sign-in page no longer stores a session (a stateless signed CSRF token instead):
-- the sign-in-page sessions of earlier releases (class 0) go.
DELETE FROM console_sessions WHERE class = 0;
