-- The same table without the foreign key on agency_id, as on PostgreSQL (see there): a subject
-- row is written only by the audit append, with its entry's agency, and the chain's hashes cover
-- the subjects. SQLite cannot drop a constraint, so the table is rebuilt.
CREATE TABLE audit_subjects_rebuilt (
    agency_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    position BIGINT NOT NULL,
    record_id BIGINT NOT NULL,
    client_id BIGINT NOT NULL,
    PRIMARY KEY (agency_id, seq, position)
) WITHOUT ROWID;
INSERT INTO audit_subjects_rebuilt (agency_id, seq, position, record_id, client_id)
    SELECT agency_id, seq, position, record_id, client_id FROM audit_subjects;
DROP TABLE audit_subjects;
ALTER TABLE audit_subjects_rebuilt RENAME TO audit_subjects;
CREATE INDEX audit_subjects_client ON audit_subjects (agency_id, client_id, seq);

CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
