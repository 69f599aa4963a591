-- On SQLite, entries about reads are first written to a staging file of their own beside the
-- database (`audit_sqlite`), and moved into the chain in batches: a commit to this file makes
-- every reading connection drop its page cache, and one commit a second costs far less than one
-- per group. Each move records here, in the same transaction, the last staged entry it chained,
-- so an entry is chained exactly once even if the process stops before the staging file is
-- cleared. `instance` names the staging file (a new file starts its numbering again).
-- PostgreSQL appends straight to the chain and leaves this table empty; it has it so both
-- schemas stay the same.
CREATE TABLE audit_staging_marks (
    instance TEXT PRIMARY KEY,
    chained_through BIGINT NOT NULL
);
