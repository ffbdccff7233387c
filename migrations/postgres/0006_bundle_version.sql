-- Every save of a bundle bumps its version: a save based on an older read is refused
-- (optimistic concurrency), so the pipeline cannot overwrite a customer's edit.
ALTER TABLE bundles ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
