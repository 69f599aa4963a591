-- A subject row is written only by the audit append, in the same statement batch as its entry,
-- with the entry's own agency; the entry's agency is checked by its foreign key, and the chain's
-- hashes cover the subjects. Checking each subject's agency again cost a trigger and a shared
-- lock on the agency's row per subject, about six microseconds each and a third of a fifty-line
-- caseload's audit write on PostgreSQL (BENCHMARKS.md, session 16).
ALTER TABLE audit_subjects DROP CONSTRAINT audit_subjects_agency_id_fkey;
