-- Audit chain format 3: a list page (a caseload, a page of search results) is one audit entry,
-- and the records it showed are its subjects, one row each, in the order shown. The entry's hash
-- covers them, so a subject row changed, removed or added breaks verification. A client's access
-- history reads the entries about the client and the entries listing them.
CREATE TABLE audit_subjects (
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    seq BIGINT NOT NULL,
    position BIGINT NOT NULL,
    record_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    PRIMARY KEY (agency_id, seq, position)
) WITHOUT ROWID;
CREATE INDEX audit_subjects_client ON audit_subjects (agency_id, client_id, seq);

CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
