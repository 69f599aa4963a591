-- Subject rights and retention: erasure of a client's personal data, the agency's retention
-- period after closure, and the job that applies it.
--
-- Audit chain format 2: an entry's hash covers a digest of its personal content (the free-text
-- reason) instead of the content itself. The digest is SHA-256 over a random nonce and the
-- reason; both are kept beside it while the content is held, so verification recomputes it.
-- Erasure blanks the reason and the nonce and sets redacted_at; the digest (and so the chain)
-- stays, and without the nonce the digest cannot be used to guess the erased text.
-- Entries written before this migration keep format 1 (the hash covers the reason itself): one
-- of them that erasure redacts can only be checked for its place in the chain, not its content.
ALTER TABLE audit_entries ADD COLUMN format BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_entries ADD COLUMN reason_nonce TEXT;
ALTER TABLE audit_entries ADD COLUMN reason_digest TEXT;
ALTER TABLE audit_entries ADD COLUMN redacted_at BIGINT;

-- Still append-only, except for exactly one change: the redaction of an entry's reason.
DROP TRIGGER audit_entries_no_update;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
WHEN NOT (
    OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
    AND NEW.reason IS NULL AND NEW.reason_nonce IS NULL
    AND NEW.agency_id = OLD.agency_id AND NEW.seq = OLD.seq AND NEW.at = OLD.at
    AND NEW.actor_user_id IS OLD.actor_user_id AND NEW.action = OLD.action
    AND NEW.record_type = OLD.record_type AND NEW.record_id IS OLD.record_id
    AND NEW.client_id IS OLD.client_id AND NEW.outcome = OLD.outcome
    AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash AND NEW.format = OLD.format
    AND NEW.reason_digest IS OLD.reason_digest
)
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;

-- Disclosures stay on file (they are counted), but an erasure blanks the free text naming who
-- received what and why: the only change allowed.
DROP TRIGGER disclosures_no_update;
CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures
WHEN NOT (
    NEW.recipient_name = '' AND NEW.purpose_other IS NULL AND NEW.law_cited IS NULL
    AND NEW.authorised_by_name IS NULL
    AND NEW.id = OLD.id AND NEW.agency_id = OLD.agency_id AND NEW.client_id = OLD.client_id
    AND NEW.recipient_kind IS OLD.recipient_kind AND NEW.purpose = OLD.purpose
    AND NEW.categories = OLD.categories AND NEW.channel = OLD.channel
    AND NEW.consent_id IS OLD.consent_id AND NEW.legal_basis_kind IS OLD.legal_basis_kind
    AND NEW.authorised_by_role IS OLD.authorised_by_role
    AND NEW.authorised_on IS OLD.authorised_on AND NEW.disclosed_by = OLD.disclosed_by
    AND NEW.disclosed_at = OLD.disclosed_at
)
BEGIN SELECT RAISE(ABORT, 'disclosures are never changed'); END;

-- An erased client keeps this row as a tombstone (its id holds cases and counts together).
ALTER TABLE clients ADD COLUMN erased_at BIGINT;

-- Per agency: months after the last case closed before a client is erased (NULL: never), and
-- whether admins act as privacy officer (produce subject access exports, erase on request).
CREATE TABLE agency_subject_rights (
    agency_id BIGINT PRIMARY KEY REFERENCES agencies(id),
    retention_months BIGINT,
    admin_privacy_officer BIGINT NOT NULL DEFAULT 0,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

-- A run of the retention job. Only the process holding the claim runs.
CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    erased BIGINT NOT NULL DEFAULT 0
);

-- One row per job: the process that holds it and until when (a lease, so a crashed holder
-- frees it). Claimed with one conditional UPDATE, so of several processes exactly one wins.
CREATE TABLE job_claims (
    job TEXT PRIMARY KEY,
    holder TEXT,
    lease_until BIGINT NOT NULL
);
INSERT INTO job_claims (job, holder, lease_until) VALUES ('retention', NULL, 0);

-- What was erased, when, why and by whom: no names, no content. One row per client at most.
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    client_id BIGINT NOT NULL UNIQUE REFERENCES clients(id),
    cause TEXT NOT NULL,
    reason TEXT NOT NULL,
    erased_by BIGINT REFERENCES users(id),
    retention_run_id BIGINT REFERENCES retention_runs(id),
    erased_at BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    audit_entries_redacted BIGINT NOT NULL
);
CREATE INDEX erasures_agency ON erasures (agency_id, id);
